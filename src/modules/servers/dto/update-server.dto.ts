import { IntersectionType, OmitType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreateServerDto } from './create-server.dto';

/**
 * Body of an update: any subset of the create fields (the id is fixed), plus the version the client last read. `null`
 * clears the fields that may be empty and is a 422 for the others (`skipNullProperties: false`: PartialType's default
 * would let it through to the database).
 */
export class UpdateServerDto extends IntersectionType(PartialType(OmitType(CreateServerDto, ['id'] as const), { skipNullProperties: false }), ExpectedVersionDto) {}
