import { Injectable } from '@nestjs/common';
import { maskCredentials } from '../../common/credentials';
import type { Gateway } from './gateway.model';
import { GatewaysService } from './gateways.service';

export type GatewayResponse = Omit<Gateway, 'authValue'> & { auth: ReturnType<typeof maskCredentials> };

/** The API view of a peer: credentials masked, the encrypted envelope left out. */
@Injectable()
export class GatewayPresenter {
  constructor(private readonly gateways: GatewaysService) {}

  present(gateway: Gateway): GatewayResponse {
    const { authValue: _secret, ...rest } = gateway;
    return { ...rest, auth: maskCredentials(this.gateways.credentials(gateway)) };
  }
}
