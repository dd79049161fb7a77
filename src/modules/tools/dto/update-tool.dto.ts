import { UpdateDtoOf } from '../../../common/catalog/catalog-dto';
import { CreateToolDto } from './create-tool.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read (see UpdateDtoOf). */
export class UpdateToolDto extends UpdateDtoOf(CreateToolDto) {}
