import { OmitType } from '@nestjs/mapped-types';
import { UpdateDtoOf } from '../../../common/catalog/catalog-dto';
import { CreateServerDto } from './create-server.dto';

/** Body of an update: any subset of the create fields (the id is fixed), plus the version the client last read (see UpdateDtoOf). */
export class UpdateServerDto extends UpdateDtoOf(OmitType(CreateServerDto, ['id'] as const)) {}
