import { UpdateDtoOf } from '../../../common/catalog/catalog-dto';
import { CreateGatewayDto } from './create-gateway.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read (see UpdateDtoOf). */
export class UpdateGatewayDto extends UpdateDtoOf(CreateGatewayDto) {}
