import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsTagList } from '../../../common/catalog/catalog-dto';
import { CredentialsDto } from '../../../common/credentials';
import { IsOmittable } from '../../../common/validators';
import { GATEWAY_TRANSPORTS, type GatewayTransport } from '../gateway.model';

/**
 * Longest peer name: its slug prefixes the peer's tool and prompt names, which must fit in 255 characters with a tool
 * name of up to 128 (the MCP spec's recommended limit) and the separator.
 */
export const MAX_GATEWAY_NAME_LENGTH = 100;

/**
 * Body of `POST /gateways` (the reference gateway takes it plain; wrapped `{"gateway": {...}}` is accepted too).
 * Fields marked `@IsOptional()` take `null` to clear them (on an update); `@IsOmittable()` ones may be left out but
 * not be `null`.
 */
export class CreateGatewayDto {
  /** At most MAX_GATEWAY_NAME_LENGTH characters. */
  @IsString()
  @MaxLength(MAX_GATEWAY_NAME_LENGTH)
  @Matches(/[A-Za-z0-9]/, { message: 'name must contain at least one letter or digit' })
  name!: string;

  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url!: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string | null;

  /** Defaults to SSE when the URL ends in `/sse`, Streamable HTTP otherwise. */
  @IsOmittable()
  @IsIn(GATEWAY_TRANSPORTS)
  transport?: GatewayTransport;

  @IsOptional()
  @IsObject({ message: 'auth must be an object' })
  @ValidateNested()
  @Type(() => CredentialsDto)
  auth?: CredentialsDto | null;

  /** false: expose the peer's tool and prompt names verbatim (no `<peer slug><separator>` prefix). Default true. */
  @IsOmittable()
  @IsBoolean()
  namespaced?: boolean;

  /** Registers this peer as a fail-over alternate of the peer with this id: calls go to whichever is healthy. */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  alternateOf?: string | null;

  /** PEM certificate(s) of the CA that signed the peer's TLS certificate (private PKI). */
  @IsOptional()
  @IsString()
  @MaxLength(64 * 1024)
  @Matches(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, { message: 'caCertificate must be PEM certificates' })
  caCertificate?: string | null;

  @IsTagList()
  tags?: string[];

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}
