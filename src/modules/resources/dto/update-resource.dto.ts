import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { ExpectedVersionDto } from '../../../common/catalog/catalog-dto';
import { CreateResourceDto } from './create-resource.dto';

/** Body of an update: any subset of the create fields, plus the version the client last read. */
export class UpdateResourceDto extends IntersectionType(PartialType(CreateResourceDto), ExpectedVersionDto) {}
