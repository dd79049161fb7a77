import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { CredentialsDto } from '../../../common/credentials';
import type { JsonSchema } from '../../../common/json-schema';
import { IsHeaderMap, IsOmittable } from '../../../common/validators';
import { INTEGRATION_TYPES, type IntegrationType, MAX_TOOL_URL_LENGTH, TOOL_NAME_PATTERN, type ToolAnnotations } from '../tool.model';

/** Tool annotations, served to MCP clients as they are: a hint is left out, never `null` (clients reject that). */
export class ToolAnnotationsDto implements ToolAnnotations {
  @IsOmittable() @IsString() @MaxLength(255) title?: string;
  @IsOmittable() @IsBoolean() readOnlyHint?: boolean;
  @IsOmittable() @IsBoolean() destructiveHint?: boolean;
  @IsOmittable() @IsBoolean() idempotentHint?: boolean;
  @IsOmittable() @IsBoolean() openWorldHint?: boolean;
}

/**
 * Body of `POST /tools` (plain or wrapped as `{"tool": {...}}`; snake_case names accepted). Fields marked
 * `@IsOptional()` take `null` to clear them (on an update); `@IsOmittable()` ones may be left out but not be `null`.
 */
export class CreateToolDto {
  @IsString()
  @Matches(TOOL_NAME_PATTERN, { message: 'name must be 1-128 characters of letters, digits, _ - and . (starting with a letter, digit or _)' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  displayName?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string | null;

  @IsOmittable()
  @IsIn(INTEGRATION_TYPES)
  integrationType?: IntegrationType;

  /** HTTP method of a REST tool (GET, POST, PUT, PATCH, DELETE); default POST. */
  @IsOmittable()
  @IsString()
  @MaxLength(16)
  requestType?: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(MAX_TOOL_URL_LENGTH)
  url?: string | null;

  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  @IsOptional()
  @IsObject({ message: 'auth must be an object' })
  @ValidateNested()
  @Type(() => CredentialsDto)
  auth?: CredentialsDto | null;

  @IsOmittable()
  @IsObject()
  inputSchema?: JsonSchema;

  @IsOptional()
  @IsObject()
  outputSchema?: JsonSchema;

  @IsOptional()
  @ValidateNested()
  @Type(() => ToolAnnotationsDto)
  annotations?: ToolAnnotationsDto | null;

  /** REST: `{ argumentName: 'path' | 'query' | 'header' | 'body' | 'bodyRoot' }`. */
  @IsOptional()
  @IsObject()
  argumentMapping?: Record<string, string> | null;

  /** REST/CLI: timeout of a call in milliseconds (default TOOL_TIMEOUT). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  timeoutMs?: number | null;

  /** REST: retries of idempotent calls after 429/5xx/network errors (default REST_TOOL_MAX_RETRIES). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  maxRetries?: number | null;

  /** REST: largest response read; CLI: largest stdout/stderr (default MAX_TOOL_RESPONSE_BYTES). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1024 * 1024 * 1024)
  maxResponseBytes?: number | null;

  /** REST: JSONPath expression applied to a JSON response, e.g. `$.items[*].name`. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  jsonpathFilter?: string | null;

  /** CLI: the executable to run (must be listed in CLI_TOOLS_ALLOWED_COMMANDS). */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  command?: string | null;

  /** CLI: argv template, e.g. `["--name", "{name}"]`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  args?: string[] | null;

  /** CLI: working directory of the command. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  workingDirectory?: string | null;

  @IsTagList()
  tags?: string[];

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}
