import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';

/** The host name of a `Host` header value or URL authority, lower-cased, without port; IPv6 keeps its brackets. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * DNS-rebinding protection for MCP endpoints: the `Host` must be one of ALLOWED_HOSTS, and a browser `Origin`, when
 * sent, must name an allowed host or be listed in ALLOWED_ORIGINS. Returns the problem, or null when allowed.
 */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, allowedHosts: string[], allowedOrigins: string[]): string | null {
  const anyHost = allowedHosts.includes('*');
  const host = headers.host ? hostName(headers.host) : '';
  if (!anyHost && !allowedHosts.includes(host)) return `Host '${headers.host ?? ''}' is not allowed (ALLOWED_HOSTS)`;
  const origin = headers.origin;
  if (!origin || origin === 'null' || allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return origin === 'null' ? 'Origin null is not allowed' : null;
  let originHost: string;
  try {
    originHost = hostName(new URL(origin).host);
  } catch {
    return `Origin '${origin}' is not a valid origin`;
  }
  if (anyHost ? originHost === host : allowedHosts.includes(originHost)) return null;
  return `Origin '${origin}' is not allowed (ALLOWED_ORIGINS)`;
}

@Injectable()
export class HostValidationGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders }>();
    const problem = checkHostAndOrigin(req.headers, this.config.mcp.allowedHosts, this.config.mcp.allowedOrigins);
    if (problem) throw new DomainError(ErrorCode.Forbidden, problem);
    return true;
  }
}
