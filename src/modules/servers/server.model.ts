import type { CatalogItem } from '../../common/catalog/catalog.model';

export const SERVER_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export type AssociationKind = 'tools' | 'resources' | 'prompts';

/** The server property holding the ids of each association (also the API's and the form's field name). */
export const ASSOCIATION_PROPERTY = {
  tools: 'associatedTools',
  resources: 'associatedResources',
  prompts: 'associatedPrompts',
} as const satisfies Record<AssociationKind, keyof Server>;

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
