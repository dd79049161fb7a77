import type { CatalogItem } from '../../common/catalog/catalog.model';

/** A URI with a scheme (`file:///x`, `test://a`, `https://...`). */
export const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
/** An RFC 6570 URI template: a URI with at least one `{expression}`. */
export const URI_TEMPLATE_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\{[^{}\s]+\}[^\s]*$/;
/** An http(s) URL, possibly with RFC 6570 `{expressions}` (for template resources). */
export const CONTENT_URL_PATTERN = /^https?:\/\/[^\s/?#]+\S*$/i;
export const MIME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;

export interface Resource extends CatalogItem {
  uri: string;
  name: string;
  description: string | null;
  mimeType: string | null;
  /** Set for template resources (listed by `resources/templates/list`). */
  uriTemplate: string | null;
  textContent: string | null;
  /** Binary content, base64-encoded. */
  binaryContent: string | null;
  /** Content size in bytes (decoded); for an HTTP-backed resource, of the content last fetched. */
  size: number | null;
  /**
   * HTTP(S) URL the content is fetched from on read (an HTTP-backed resource), instead of stored content. For a
   * template resource it may use the template's variables, e.g. `https://api.example.com/users/{id}`.
   */
  contentUrl: string | null;
  /** Seconds fetched content is cached (HTTP-backed resources); null: RESOURCE_CACHE_TTL; 0: never cached. */
  cacheTtl: number | null;
  /** SHA-256 (hex) of the content an HTTP-backed resource last fetched (read or refresh): a change notifies subscribers. */
  contentHash: string | null;
  gatewayId: string | null;
}

/** What `GET /resources/{id}` and `resources/read` return. */
export interface ResourceContent {
  type: 'resource';
  id: string;
  uri: string;
  mimeType: string | null;
  text?: string;
  blob?: string;
}
