import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

export class CreateTokenDto {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  /** Subject of the token; defaults to the caller. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(/\S/)
  subject?: string;

  /** Lifetime in minutes (default TOKEN_EXPIRY); 0 = no expiry, only with REQUIRE_TOKEN_EXPIRATION=false. */
  @IsOptional()
  @IsInt()
  @Min(0)
  expiresInMinutes?: number;
}
