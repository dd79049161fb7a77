import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { IsOmittable } from '../../../common/validators';
import { ARGUMENT_NAME_PATTERN, MAX_ARGUMENTS, MAX_MESSAGES, PROMPT_NAME_PATTERN, type PromptArgument } from '../prompt.model';
import { PromptMessageDto } from './prompt-message.dto';

export class PromptArgumentDto implements PromptArgument {
  @IsString()
  @Matches(ARGUMENT_NAME_PATTERN, { message: 'name must be an identifier (letters, digits, _ and -, not starting with a digit or -; at most 64)' })
  name!: string;

  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  description?: string;

  @IsOmittable()
  @IsBoolean()
  required?: boolean;
}

/**
 * Body of `POST /prompts`: a `template` (with `# User:` / `# Assistant:` markers) or an explicit `messages` list.
 * Arguments default to the variables the template reads (`arguments: null` on an update: discover them again).
 * Sizes (MAX_PROMPT_SIZE) are checked by the service. Fields marked `@IsOptional()` take `null` to clear them;
 * `@IsOmittable()` ones may be left out but not be `null`.
 */
export class CreatePromptDto {
  @IsString()
  @Matches(PROMPT_NAME_PATTERN, { message: 'name must be 1-128 characters of letters, digits, _ - and .' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string | null;

  @IsOmittable()
  @IsString()
  template?: string;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => PromptMessageDto)
  messages?: PromptMessageDto[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ARGUMENTS)
  @ValidateNested({ each: true })
  @Type(() => PromptArgumentDto)
  arguments?: PromptArgumentDto[] | null;

  @IsTagList()
  tags?: string[];

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}
