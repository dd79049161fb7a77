import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreateToolDto } from './create-tool.dto';

/**
 * Body of an update: any subset of the create fields, plus the version the client last read. `null` clears the
 * fields that may be empty and is a 422 for the others (`skipNullProperties: false`: PartialType's default would
 * let it through to the database).
 */
export class UpdateToolDto extends IntersectionType(PartialType(CreateToolDto, { skipNullProperties: false }), ExpectedVersionDto) {}
