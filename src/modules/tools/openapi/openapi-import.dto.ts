import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { CredentialsDto } from '../../../common/credentials';
import { IsHeaderMap, IsOmittable } from '../../../common/validators';

/**
 * Body of `POST /tools/import/openapi`: the document by `url` or inline as `spec`, plus options. Options may be left
 * out but not be `null`, except `auth` and `headers` (`null`: none).
 */
export class ImportOpenApiDto {
  /** Where to fetch the document (JSON or YAML); fetched through the SSRF-checked outbound client. */
  @IsOmittable()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url?: string;

  /** The document itself: an object, or a JSON or YAML string (anything else, `null` included, is a 422 naming `spec`). */
  @IsOptional()
  spec?: Record<string, unknown> | string;

  /** Base URL of the API, overriding the document's servers / host + basePath. */
  @IsOmittable()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @MaxLength(2048)
  baseUrl?: string;

  /** Import only operations with at least one of these OpenAPI tags. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  tags?: string[];

  /** Prepended to every tool name, e.g. `petstore-`. */
  @IsOmittable()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{0,64}$/, { message: 'namePrefix must be up to 64 letters, digits, _ . or -' })
  namePrefix?: string;

  /** Return the tools that would be created, create nothing. */
  @IsOmittable()
  @IsBoolean()
  dryRun?: boolean;

  /** Credentials every imported tool presents. */
  @IsOptional()
  @IsObject({ message: 'auth must be an object' })
  @ValidateNested()
  @Type(() => CredentialsDto)
  auth?: CredentialsDto | null;

  /** Static headers every imported tool sends. */
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  /** Catalog tags given to every imported tool. */
  @IsTagList()
  toolTags?: string[];
}
