import { IsBoolean, IsOptional } from 'class-validator';
import { ToBoolean } from '../../../common/transforms';

/** Query of `GET /servers/{id}/tools|resources|prompts`: every member, in the server's order (no paging or tag filter). */
export class MembersQueryDto {
  /** `true`: disabled members too. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_inactive?: boolean;
}
