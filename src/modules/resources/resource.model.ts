import type { CatalogItem } from '../../common/catalog/catalog.model';

/** A URI with a scheme (`file:///x`, `test://a`, `https://...`). */
export const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
/** An RFC 6570 URI template: a URI with at least one `{expression}`. */
export const URI_TEMPLATE_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\{[^{}\s]+\}[^\s]*$/;
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
  /** Content size in bytes (decoded). */
  size: number | null;
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
