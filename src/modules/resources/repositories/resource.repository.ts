import { CatalogRepository } from '../../../common/catalog/catalog.repository';
import type { Resource } from '../resource.model';

/** DI token and storage contract of resources. Listings leave the content out. */
export abstract class ResourceRepository extends CatalogRepository<Resource> {
  /** Enabled resources that are URI templates (for matching a concrete URI on read). */
  abstract findTemplates(): Promise<Resource[]>;
}
