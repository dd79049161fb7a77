import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreateToolDto } from './create-tool.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read. */
export class UpdateToolDto extends IntersectionType(PartialType(CreateToolDto), ExpectedVersionDto) {}
