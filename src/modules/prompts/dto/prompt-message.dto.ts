import { Type } from 'class-transformer';
import { Equals, IsBase64, IsDefined, IsIn, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsOmittable } from '../../../common/validators';
import { MIME_PATTERN, URI_PATTERN } from '../../resources/resource.model';
import { CONTENT_TYPES, PROMPT_ROLES, type ContentType, type PromptRole, type ResourceContents } from '../prompt.model';

const MIME_MESSAGE = { message: 'mimeType must be a MIME type such as image/png' };
const URI_MESSAGE = { message: 'uri must be an absolute URI with a scheme, e.g. file:///docs/readme.md' };

/** A content part whose `type` is none of the known ones: only `type` is checked (and rejected). */
export class PromptContentDto {
  @IsIn(CONTENT_TYPES)
  type!: ContentType;
}

export class TextPartDto {
  @Equals('text')
  type!: 'text';

  /** A Handlebars template, rendered with the arguments (size limit: MAX_PROMPT_SIZE, checked by the service). */
  @IsString()
  text!: string;
}

/** An image or audio clip, base64-encoded (MCP has no URL form for these: use a `resource_link`). */
export class MediaPartDto {
  @IsIn(['image', 'audio'])
  type!: 'image' | 'audio';

  @IsString()
  @IsBase64({}, { message: 'data must be base64-encoded' })
  data!: string;

  @IsString()
  @MaxLength(255)
  @Matches(MIME_PATTERN, MIME_MESSAGE)
  mimeType!: string;
}

export class ResourceContentsDto implements ResourceContents {
  @IsString()
  @MaxLength(767)
  @Matches(URI_PATTERN, URI_MESSAGE)
  uri!: string;

  @IsOmittable()
  @IsString()
  @MaxLength(255)
  @Matches(MIME_PATTERN, MIME_MESSAGE)
  mimeType?: string;

  @IsOmittable()
  @IsString()
  text?: string;

  @IsOmittable()
  @IsString()
  @IsBase64({}, { message: 'blob must be base64-encoded' })
  blob?: string;
}

/**
 * An embedded resource: its `text` or `blob` as given, or (neither given) the catalog resource with that URI. The
 * optional fields of message parts are served to MCP clients as they are, so they may be left out but not be `null`.
 */
export class ResourcePartDto {
  @Equals('resource')
  type!: 'resource';

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ResourceContentsDto)
  resource!: ResourceContentsDto;
}

/** A link to a resource the client may read (MCP 2025-06-18 and later). */
export class ResourceLinkPartDto {
  @Equals('resource_link')
  type!: 'resource_link';

  @IsString()
  @MaxLength(767)
  @Matches(URI_PATTERN, URI_MESSAGE)
  uri!: string;

  @IsString()
  @MaxLength(255)
  name!: string;

  @IsOmittable()
  @IsString()
  @MaxLength(255)
  title?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(8192)
  description?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(255)
  @Matches(MIME_PATTERN, MIME_MESSAGE)
  mimeType?: string;
}

/** One message of an explicit `messages` list: a role and one content part. */
export class PromptMessageDto {
  @IsIn(PROMPT_ROLES)
  role!: PromptRole;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PromptContentDto, {
    keepDiscriminatorProperty: true,
    discriminator: {
      property: 'type',
      subTypes: [
        { name: 'text', value: TextPartDto },
        { name: 'image', value: MediaPartDto },
        { name: 'audio', value: MediaPartDto },
        { name: 'resource', value: ResourcePartDto },
        { name: 'resource_link', value: ResourceLinkPartDto },
      ],
    },
  })
  content!: TextPartDto | MediaPartDto | ResourcePartDto | ResourceLinkPartDto;
}
