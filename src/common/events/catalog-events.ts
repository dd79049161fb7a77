import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityKind } from '../catalog/catalog.model';
import { UnitOfWork } from '../../database/unit-of-work';

export const CATALOG_CHANGED = 'catalog.changed';

export type CatalogAction = 'create' | 'update' | 'delete' | 'enable' | 'disable';

export interface CatalogChangedEvent {
  kind: EntityKind;
  id: string;
  /** Natural key (name, or URI for resources). */
  key: string;
  action: CatalogAction;
  /** Resources: the URI template of a template resource (sessions subscribed to a URI it matches are notified). */
  uriTemplate?: string;
}

/** Publishes catalog changes once the transaction that made them has committed. */
@Injectable()
export class CatalogEvents {
  constructor(
    private readonly emitter: EventEmitter2,
    private readonly uow: UnitOfWork,
  ) {}

  changed(event: CatalogChangedEvent): void {
    this.uow.afterCommit(() => this.emitter.emit(CATALOG_CHANGED, event));
  }
}
