import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';

/** Reads content that lives at a peer (federated resources and prompts). Implemented by the federation module. */
export interface RemoteContentSource {
  readResource(resource: { gatewayId: string | null; federationSource: string | null }, uri: string): Promise<{ contents: Array<Record<string, unknown>> }>;
  getPrompt(
    prompt: { gatewayId: string | null; federationSource: string | null; originalName: string },
    args: Record<string, string>,
  ): Promise<{ description?: string; messages: Array<Record<string, unknown>> }>;
}

/**
 * The seam between the catalog modules and federation: resources and prompts synced from a peer have no local
 * content, so their services ask the registered source. Federation registers itself when it starts; this keeps
 * the module dependencies one-way (federation depends on the catalog, not the reverse).
 */
@Injectable()
export class RemoteContent implements RemoteContentSource {
  private source?: RemoteContentSource;

  register(source: RemoteContentSource): void {
    this.source = source;
  }

  readResource(...args: Parameters<RemoteContentSource['readResource']>): ReturnType<RemoteContentSource['readResource']> {
    return this.require().readResource(...args);
  }

  getPrompt(...args: Parameters<RemoteContentSource['getPrompt']>): ReturnType<RemoteContentSource['getPrompt']> {
    return this.require().getPrompt(...args);
  }

  private require(): RemoteContentSource {
    if (!this.source) throw new DomainError(ErrorCode.Unavailable, 'Federation is not available');
    return this.source;
  }
}
