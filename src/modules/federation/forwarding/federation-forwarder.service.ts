import { Injectable } from '@nestjs/common';
import type { CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { RemoteContent } from '../../../common/catalog/remote-content';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { JsonRpcError } from '../../../common/errors/json-rpc-error';
import { AppConfig } from '../../../config/app-config';
import type { Prompt } from '../../prompts/prompt.model';
import type { Resource } from '../../resources/resource.model';
import type { SessionChannel } from '../../tools/execution/invocation-context';
import { FederationService } from '../federation.service';
import { classifyUpstreamError } from '../upstream/upstream-errors';
import { UpstreamPool } from '../upstream/upstream-pool.service';
import type { UpstreamSession } from '../upstream/upstream-session';

/** Forwards reads, prompt renders, completions, subscriptions and log levels for federated entities to their peer. */
@Injectable()
export class FederationForwarder {
  constructor(
    private readonly federation: FederationService,
    private readonly pool: UpstreamPool,
    private readonly config: AppConfig,
    remote: RemoteContent,
  ) {
    remote.register({
      readResource: (resource, uri) => this.readResource(resource, uri) as never,
      getPrompt: (prompt, args) => this.getPrompt(prompt, args) as never,
    });
  }

  readResource(resource: Pick<Resource, 'gatewayId' | 'federationSource'>, uri: string, session?: SessionChannel): Promise<ReadResourceResult> {
    return this.forward(resource, session, (s) => s.client.readResource({ uri }, this.options()));
  }

  getPrompt(prompt: Pick<Prompt, 'gatewayId' | 'federationSource' | 'originalName'>, args: Record<string, string>, session?: SessionChannel): Promise<GetPromptResult> {
    return this.forward(prompt, session, (s) => s.client.getPrompt({ name: prompt.originalName, arguments: args }, this.options()));
  }

  complete(owner: { gatewayId: string | null; federationSource: string | null }, params: CompleteRequest['params'], session?: SessionChannel): Promise<CompleteResult> {
    return this.forward(owner, session, async (s) => {
      if (!s.client.getServerCapabilities()?.completions) return { completion: { values: [], total: 0, hasMore: false } };
      return s.client.complete(params, this.options());
    });
  }

  /** Subscribes this downstream session's upstream session, so the peer's resources/updated reach the client. */
  subscribe(resource: Pick<Resource, 'gatewayId' | 'federationSource'>, uri: string, session?: SessionChannel): Promise<void> {
    return this.forward(resource, session, async (s) => {
      if (s.client.getServerCapabilities()?.resources?.subscribe) await s.client.subscribeResource({ uri }, this.options());
    });
  }

  unsubscribe(resource: Pick<Resource, 'gatewayId' | 'federationSource'>, uri: string, session?: SessionChannel): Promise<void> {
    return this.forward(resource, session, async (s) => {
      if (s.client.getServerCapabilities()?.resources?.subscribe) await s.client.unsubscribeResource({ uri }, this.options());
    });
  }

  /** Passes a client's logging/setLevel on to the peers it already talks to (new upstream sessions inherit it). */
  async setLogLevel(sessionId: string, level: LoggingLevel): Promise<void> {
    const sessions = await this.pool.sessionsOf(sessionId);
    await Promise.allSettled(sessions.filter((s) => s.client.getServerCapabilities()?.logging).map((s) => s.setLogLevel(level)));
  }

  private options() {
    return { timeout: this.config.tools.timeoutMs };
  }

  private async forward<T>(owner: { gatewayId: string | null; federationSource: string | null }, session: SessionChannel | undefined, work: (s: UpstreamSession) => Promise<T>): Promise<T> {
    const targets = owner.gatewayId ? await this.federation.callTargets(owner.gatewayId) : [];
    if (targets.length === 0) throw new DomainError(ErrorCode.Unavailable, `Peer '${owner.federationSource ?? '?'}' is disabled or gone`);
    let last = '';
    for (const peer of targets) {
      try {
        return await this.pool.use(this.federation.endpoint(peer), session, work);
      } catch (err) {
        const failure = classifyUpstreamError(err);
        if (failure.kind === 'protocol') throw new JsonRpcError(failure.code ?? -32603, `Peer '${peer.name}': ${failure.message}`, failure.data);
        last = `Peer '${peer.name}': ${failure.message}`;
      }
    }
    throw new DomainError(ErrorCode.Upstream, last);
  }
}
