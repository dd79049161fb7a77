import { IsBase64, IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { MIME_PATTERN, URI_PATTERN, URI_TEMPLATE_PATTERN } from '../resource.model';

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

  @IsTagList()
  tags?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
