import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreateGatewayDto } from './create-gateway.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read. */
export class UpdateGatewayDto extends IntersectionType(PartialType(CreateGatewayDto), ExpectedVersionDto) {}
