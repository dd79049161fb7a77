import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { IsOmittable } from '../../../common/validators';

/** Body of `POST /tokens`: `name` may be `null` (no name); the others may be left out for their defaults, not be `null`. */
export class CreateTokenDto {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  /** Subject of the token; defaults to the caller. */
  @IsOmittable()
  @IsString()
  @MaxLength(255)
  @Matches(/\S/)
  subject?: string;

  /** Lifetime in minutes (default TOKEN_EXPIRY); 0 = no expiry, only with REQUIRE_TOKEN_EXPIRATION=false. */
  @IsOmittable()
  @IsInt()
  @Min(0)
  expiresInMinutes?: number;
}
