import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { IsOmittable } from '../../../common/validators';
import { SERVER_ID_PATTERN } from '../server.model';

const ID_LIST = { each: true, message: 'each entry must be an entity id' } as const;

/**
 * Body of `POST /servers` (plain or wrapped as `{"server": {...}}`). Fields marked `@IsOptional()` take `null` to
 * clear them (on an update); `@IsOmittable()` ones may be left out but not be `null` (`[]` empties a list).
 */
export class CreateServerDto {
  /** Optional client-chosen id (letters, digits, _ and -; at most 36). */
  @IsOmittable()
  @IsString()
  @Matches(SERVER_ID_PATTERN, { message: 'id must be 1-36 letters, digits, _ or -' })
  id?: string;

  @IsString()
  @MaxLength(255)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string | null;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false }, { message: 'icon must be an http(s) URL' })
  @MaxLength(2048)
  icon?: string | null;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(5000)
  @Matches(SERVER_ID_PATTERN, ID_LIST)
  associatedTools?: string[];

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(5000)
  @Matches(SERVER_ID_PATTERN, ID_LIST)
  associatedResources?: string[];

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(5000)
  @Matches(SERVER_ID_PATTERN, ID_LIST)
  associatedPrompts?: string[];

  @IsTagList()
  tags?: string[];

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}
