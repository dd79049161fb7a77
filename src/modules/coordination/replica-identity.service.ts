import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { AppConfig } from '../../config/app-config';

/** How other replicas reach this one: REPLICA_URL, or the address the HTTP server listens on. */
@Injectable()
export class ReplicaIdentity {
  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Undefined until the server listens (when REPLICA_URL is not set). */
  url(): string | undefined {
    if (this.config.mcp.replicaUrl) return this.config.mcp.replicaUrl;
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address() as AddressInfo | null | undefined;
    if (!address || typeof address !== 'object') return undefined;
    const host = ['0.0.0.0', '::'].includes(address.address) ? hostname() : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }
}
