import { IsBoolean, IsOptional } from 'class-validator';
import { ToBoolean } from '../transforms';

/** `?activate=true|false` of the enable/disable routes; defaults to true like the reference gateway. */
export class StateQueryDto {
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  activate?: boolean;
}
