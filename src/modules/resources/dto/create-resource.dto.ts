import { IsBase64, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { CONTENT_URL_PATTERN, MIME_PATTERN, URI_PATTERN, URI_TEMPLATE_PATTERN } from '../resource.model';

/** Body of `POST /resources`: text `content` or base64 `blob` (or neither for a template resource). */
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
  description?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(MIME_PATTERN, { message: 'mimeType must be a MIME type such as text/plain' })
  mimeType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(767)
  @Matches(URI_TEMPLATE_PATTERN, { message: 'uriTemplate must be an RFC 6570 URI template such as file:///logs/{date}' })
  uriTemplate?: string;

  /** Text content. The size limit (MAX_RESOURCE_SIZE) is checked by the service. */
  @IsOptional()
  @IsString()
  content?: string;

  /** Binary content, base64-encoded. */
  @IsOptional()
  @IsString()
  @IsBase64({}, { message: 'blob must be base64-encoded' })
  blob?: string;

  /** Fetch the content from this http(s) URL on read instead of storing it (an HTTP-backed resource). */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(CONTENT_URL_PATTERN, { message: 'contentUrl must be an http(s) URL such as https://example.com/data.json' })
  contentUrl?: string;

  /** Seconds fetched content is cached; 0 fetches on every read. Default: RESOURCE_CACHE_TTL. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  cacheTtl?: number;

  @IsTagList()
  tags?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
