import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { OutboundError, OutboundHttp } from '../../common/http/outbound-http';
import { AppConfig } from '../../config/app-config';
import { GatewayCache } from '../cache/gateway-cache.service';
import { bareMime, isTextMime, mimeAllowed } from './resource-content';
import type { Resource } from './resource.model';

/** Content fetched from a resource's `contentUrl` (plain JSON: it may be cached in Redis or the database). */
export interface FetchedContent {
  url: string;
  /** The MIME type it is served as: the resource's, else the response's `Content-Type`. */
  mimeType: string;
  text?: string;
  /** Base64, for non-text MIME types. */
  blob?: string;
  size: number;
  /** SHA-256 (hex) of the bytes. */
  hash: string;
  fetchedAt: string;
}

type Source = Pick<Resource, 'id' | 'mimeType' | 'cacheTtl'>;

/**
 * Fetches the content of HTTP-backed resources through OutboundHttp (SSRF rules, RESOURCE_FETCH_TIMEOUT,
 * MAX_RESOURCE_SIZE), checks the response's MIME type against ALLOWED_MIME_TYPES, and caches it per resource and
 * URL for the resource's `cacheTtl` (default RESOURCE_CACHE_TTL). Upstream failures are DomainErrors naming the
 * URL and status, which MCP clients receive as JSON-RPC errors.
 */
@Injectable()
export class ResourceFetcher {
  constructor(
    private readonly http: OutboundHttp,
    private readonly cache: GatewayCache,
    private readonly config: AppConfig,
  ) {}

  /**
   * The content at `url`, from the cache while it is fresh; with a TTL of 0, fetched on every read. `onFetched` runs
   * after each fetch of content meant for the cache (a miss, with a TTL above 0), before it is stored and returned;
   * it gets the TTL. A read with a TTL of 0 never calls it.
   */
  read(resource: Source, url: string, onFetched?: (content: FetchedContent, ttlMs: number) => Promise<void>): Promise<FetchedContent> {
    const ttlMs = this.ttlMs(resource);
    if (ttlMs === 0) return this.fetch(resource, url);
    return this.cache.wrap(
      'fetch',
      this.key(resource, url),
      async () => {
        const content = await this.fetch(resource, url);
        await onFetched?.(content, ttlMs);
        return content;
      },
      { ttlMs },
    );
  }

  /**
   * Stores content fetched outside `read` (by a refresh), or again after recording its hash changed the catalog
   * version its cache key carries, as the current cached value.
   */
  async prime(resource: Source, content: FetchedContent): Promise<void> {
    const ttlMs = this.ttlMs(resource);
    if (ttlMs > 0) await this.cache.put('fetch', this.key(resource, content.url), content, { ttlMs });
  }

  /** Fetches `url` now, bypassing the cache. */
  async fetch(resource: Pick<Resource, 'mimeType'>, url: string): Promise<FetchedContent> {
    const { maxResourceSize, resourceFetchTimeoutMs, allowedMimeTypes } = this.config.catalog;
    let res;
    try {
      res = await this.http.request(url, { method: 'GET', headers: { accept: resource.mimeType ?? '*/*' }, timeoutMs: resourceFetchTimeoutMs, maxBytes: maxResourceSize });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      switch (err.kind) {
        case 'timeout':
          throw new DomainError(ErrorCode.UpstreamTimeout, `contentUrl ${url}: no response within ${resourceFetchTimeoutMs} ms (RESOURCE_FETCH_TIMEOUT)`, { url });
        case 'too_large':
          throw new DomainError(ErrorCode.PayloadTooLarge, `contentUrl ${url}: content exceeds the limit of ${maxResourceSize} bytes (MAX_RESOURCE_SIZE)`, { url, limit: maxResourceSize });
        default:
          throw new DomainError(ErrorCode.Upstream, `contentUrl ${url}: ${err.message}`, { url });
      }
    }
    if (res.status < 200 || res.status >= 300) {
      throw new DomainError(ErrorCode.Upstream, `contentUrl ${url} answered HTTP ${res.status}`, { url, status: res.status });
    }
    const header = res.headers['content-type'];
    const contentType = bareMime((Array.isArray(header) ? header[0] : header) ?? '');
    if (contentType && !mimeAllowed(contentType, allowedMimeTypes)) {
      throw new DomainError(ErrorCode.Upstream, `contentUrl ${url} returned content type ${contentType}, which ALLOWED_MIME_TYPES does not allow`, { url, mimeType: contentType });
    }
    const mimeType = resource.mimeType ?? (contentType || 'application/octet-stream');
    const base = { url, mimeType, size: res.body.length, hash: createHash('sha256').update(res.body).digest('hex'), fetchedAt: new Date().toISOString() };
    return isTextMime(mimeType) ? { ...base, text: res.body.toString('utf8') } : { ...base, blob: res.body.toString('base64') };
  }

  private ttlMs(resource: Source): number {
    return resource.cacheTtl !== null ? resource.cacheTtl * 1000 : this.config.catalog.resourceCacheTtlMs;
  }

  private key(resource: Source, url: string): string {
    return `${resource.id}|${url}`;
  }
}
