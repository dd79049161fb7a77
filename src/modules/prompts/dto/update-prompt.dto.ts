import { UpdateDtoOf } from '../../../common/catalog/catalog-dto';
import { CreatePromptDto } from './create-prompt.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read (see UpdateDtoOf). */
export class UpdatePromptDto extends UpdateDtoOf(CreatePromptDto) {}
