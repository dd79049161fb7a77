import { CatalogRepository } from '../../../common/catalog/catalog.repository';
import type { Tool } from '../tool.model';

/** DI token and storage contract of tools. */
export abstract class ToolRepository extends CatalogRepository<Tool> {
  /** Marks every tool of a peer reachable or not (health state: no version bump). */
  abstract setReachable(gatewayId: string, reachable: boolean): Promise<void>;
}
