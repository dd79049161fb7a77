import { CatalogRepository } from '../../../common/catalog/catalog.repository';
import type { AssociationKind, Server } from '../server.model';

/** DI token and storage contract of virtual servers and their associations. */
export abstract class ServerRepository extends CatalogRepository<Server> {
  /** Replaces the server's associations of one kind, keeping the given order. */
  abstract setAssociations(serverId: string, kind: AssociationKind, ids: string[]): Promise<void>;
  /** Ids of the servers that include the given entity. */
  abstract serversContaining(kind: AssociationKind, entityId: string): Promise<string[]>;
  /** Takes the entity out of every server that includes it (one statement); the others keep their order. */
  abstract removeMember(kind: AssociationKind, entityId: string): Promise<void>;
}
