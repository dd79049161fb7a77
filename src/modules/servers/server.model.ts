import type { CatalogItem } from '../../common/catalog/catalog.model';

export const SERVER_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export type AssociationKind = 'tools' | 'resources' | 'prompts';

/** A virtual server: a named subset of the catalog, exposed as its own MCP server. */
export interface Server extends CatalogItem {
  name: string;
  description: string | null;
  /** Icon URL. */
  icon: string | null;
  /** Ids of the tools, resources and prompts it exposes, in the order given. */
  associatedTools: string[];
  associatedResources: string[];
  associatedPrompts: string[];
}
