import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { CredentialsDto } from '../../../common/credentials';
import type { JsonSchema } from '../../../common/json-schema';
import { IsHeaderMap } from '../../../common/validators';
import { INTEGRATION_TYPES, type IntegrationType, TOOL_NAME_PATTERN, type ToolAnnotations } from '../tool.model';

export class ToolAnnotationsDto implements ToolAnnotations {
  @IsOptional() @IsString() @MaxLength(255) title?: string;
  @IsOptional() @IsBoolean() readOnlyHint?: boolean;
  @IsOptional() @IsBoolean() destructiveHint?: boolean;
  @IsOptional() @IsBoolean() idempotentHint?: boolean;
  @IsOptional() @IsBoolean() openWorldHint?: boolean;
}

/** Body of `POST /tools` (plain or wrapped as `{"tool": {...}}`; snake_case names accepted). */
export class CreateToolDto {
  @IsString()
  @Matches(TOOL_NAME_PATTERN, { message: 'name must be 1-128 characters of letters, digits, _ - and . (starting with a letter, digit or _)' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  displayName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;

  @IsOptional()
  @IsIn(INTEGRATION_TYPES)
  integrationType?: IntegrationType;

  /** HTTP method of a REST tool (GET, POST, PUT, PATCH, DELETE); default POST. */
  @IsOptional()
  @IsString()
  @MaxLength(16)
  requestType?: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => CredentialsDto)
  auth?: CredentialsDto | null;

  @IsOptional()
  @IsObject()
  inputSchema?: JsonSchema;

  @IsOptional()
  @IsObject()
  outputSchema?: JsonSchema;

  @IsOptional()
  @ValidateNested()
  @Type(() => ToolAnnotationsDto)
  annotations?: ToolAnnotationsDto;

  @IsTagList()
  tags?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
