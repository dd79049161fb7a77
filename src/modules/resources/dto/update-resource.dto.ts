import { UpdateDtoOf } from '../../../common/catalog/catalog-dto';
import { CreateResourceDto } from './create-resource.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read (see UpdateDtoOf). */
export class UpdateResourceDto extends UpdateDtoOf(CreateResourceDto) {}
