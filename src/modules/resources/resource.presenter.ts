import type { Resource } from './resource.model';

export type ResourceResponse = Omit<Resource, 'textContent' | 'binaryContent'>;

/** The metadata view of a resource: everything but the (possibly large) content. */
export function presentResource(r: Resource): ResourceResponse {
  const { textContent: _t, binaryContent: _b, ...meta } = r;
  return meta;
}
