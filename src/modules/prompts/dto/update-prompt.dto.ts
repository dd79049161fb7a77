import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreatePromptDto } from './create-prompt.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read. */
export class UpdatePromptDto extends IntersectionType(PartialType(CreatePromptDto), ExpectedVersionDto) {}
