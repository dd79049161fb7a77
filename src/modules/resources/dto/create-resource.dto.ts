import { IsBase64, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { IsOmittable } from '../../../common/validators';
import { CONTENT_URL_PATTERN, MIME_PATTERN, URI_PATTERN, URI_TEMPLATE_PATTERN } from '../resource.model';

/**
 * Body of `POST /resources`: text `content` or base64 `blob` (or neither for a template resource). Fields marked
 * `@IsOptional()` take `null` to clear them (on an update); `@IsOmittable()` ones may be left out but not be `null`.
 */
export class CreateResourceDto {
  @IsString()
  @MaxLength(767)
  @Matches(URI_PATTERN, { message: 'uri must be an absolute URI with a scheme, e.g. file:///docs/readme.md' })
  uri!: string;

  @IsString()
  @MaxLength(255)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(MIME_PATTERN, { message: 'mimeType must be a MIME type such as text/plain' })
  mimeType?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(767)
  @Matches(URI_TEMPLATE_PATTERN, { message: 'uriTemplate must be an RFC 6570 URI template such as file:///logs/{date}' })
  uriTemplate?: string | null;

  /** Text content. The size limit (MAX_RESOURCE_SIZE) is checked by the service. */
  @IsOmittable()
  @IsString()
  content?: string;

  /** Binary content, base64-encoded. */
  @IsOmittable()
  @IsString()
  @IsBase64({}, { message: 'blob must be base64-encoded' })
  blob?: string;

  /** Fetch the content from this http(s) URL on read instead of storing it (an HTTP-backed resource); `null` drops it. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(CONTENT_URL_PATTERN, { message: 'contentUrl must be an http(s) URL such as https://example.com/data.json' })
  contentUrl?: string | null;

  /** Seconds fetched content is cached; 0 fetches on every read. Default: RESOURCE_CACHE_TTL. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  cacheTtl?: number | null;

  @IsTagList()
  tags?: string[];

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}
