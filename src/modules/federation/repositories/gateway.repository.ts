import { CatalogRepository } from '../../../common/catalog/catalog.repository';
import type { Gateway, GatewayStatus } from '../gateway.model';

/** DI token and storage contract of peer gateways. */
export abstract class GatewayRepository extends CatalogRepository<Gateway> {
  abstract findBySlug(slug: string): Promise<Gateway | null>;
  abstract findByUrl(url: string): Promise<Gateway | null>;
  /** Every peer, enabled or not (peer lists are small). */
  abstract findAll(): Promise<Gateway[]>;
  /** The fail-over alternates registered for a primary peer. */
  abstract findAlternates(primaryId: string): Promise<Gateway[]>;
  /** Records health or sync state: no version bump, no audit entry. */
  abstract updateStatus(id: string, status: GatewayStatus): Promise<void>;
}
