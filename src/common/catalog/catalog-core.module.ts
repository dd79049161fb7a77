import { Global, Module } from '@nestjs/common';
import { AuditModule } from '../../modules/audit/audit.module';
import { RequestContext } from '../context/request-context';
import { SecretBox } from '../crypto/secret-box';
import { CONNECT_GUARD, DNS_RESOLVER, OutboundHttp, systemResolver } from '../http/outbound-http';
import { CatalogEvents } from '../events/catalog-events';
import { CatalogSupport } from './catalog.service';
import { RemoteContent } from './remote-content';

/** Cross-cutting services every catalog module uses: request context, events, secrets, audit. */
@Global()
@Module({
  imports: [AuditModule],
  providers: [
    RequestContext,
    CatalogEvents,
    CatalogSupport,
    SecretBox,
    OutboundHttp,
    RemoteContent,
    // Seams for tests: name resolution and a last check before any socket opens.
    { provide: DNS_RESOLVER, useValue: systemResolver },
    { provide: CONNECT_GUARD, useValue: null },
  ],
  exports: [RequestContext, CatalogEvents, CatalogSupport, SecretBox, OutboundHttp, RemoteContent, AuditModule],
})
export class CatalogCoreModule {}
