import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { ARGUMENT_NAME_PATTERN, MAX_ARGUMENTS, MAX_MESSAGES, PROMPT_NAME_PATTERN, type PromptArgument } from '../prompt.model';
import { PromptMessageDto } from './prompt-message.dto';

export class PromptArgumentDto implements PromptArgument {
  @IsString()
  @Matches(ARGUMENT_NAME_PATTERN, { message: 'name must be an identifier (letters, digits, _ and -, not starting with a digit or -; at most 64)' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string;

  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

/**
 * Body of `POST /prompts`: a `template` (with `# User:` / `# Assistant:` markers) or an explicit `messages` list.
 * Arguments default to the variables the template reads. Sizes (MAX_PROMPT_SIZE) are checked by the service.
 */
export class CreatePromptDto {
  @IsString()
  @Matches(PROMPT_NAME_PATTERN, { message: 'name must be 1-128 characters of letters, digits, _ - and .' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;

  @IsOptional()
  @IsString()
  template?: string;

  @IsOptional()
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
  arguments?: PromptArgumentDto[];

  @IsTagList()
  tags?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
