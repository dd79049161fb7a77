import { Injectable } from '@nestjs/common';
import { CatalogService, CatalogSupport, type SyncCounts } from '../../common/catalog/catalog.service';
import type { ListOptions, Page } from '../../common/catalog/catalog.model';
import { RemoteContent } from '../../common/catalog/remote-content';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors/domain-error';
import { ResourcesService } from '../resources/resources.service';
import type { CreatePromptDto } from './dto/create-prompt.dto';
import type { UpdatePromptDto } from './dto/update-prompt.dto';
import { assertRequiredArguments, resolveArguments } from './prompt-arguments';
import { assertTemplateSize, isCatalogReference, normalizeMessages, templateParts } from './prompt-content';
import { PromptRenderer, splitMessages, type TemplateAnalysis } from './prompt-renderer';
import {
  VERSIONED_FIELDS,
  type EmbeddedResourceContents,
  type Prompt,
  type PromptArgument,
  type PromptContent,
  type PromptContentFields,
  type PromptMessage,
  type PromptMessageTemplate,
  type PromptVersion,
  type PromptWithWarnings,
  type RenderedPrompt,
  type ResourceContents,
} from './prompt.model';
import { PromptVersionRepository } from './repositories/prompt-version.repository';
import { PromptRepository } from './repositories/prompt.repository';

/** New content for a prompt, as a create or update gives it (`arguments: null`: discover them again). */
interface ContentInput {
  template?: string;
  messages?: PromptMessageTemplate[];
  arguments?: PromptArgument[] | null;
}

type PreparedContent = Pick<Prompt, 'template' | 'messages' | 'arguments'> & { warnings: string[] };

@Injectable()
export class PromptsService extends CatalogService<Prompt> {
  protected readonly kind = 'prompt' as const;
  protected readonly label = 'Prompt';
  private readonly renderer: PromptRenderer;

  constructor(
    repo: PromptRepository,
    support: CatalogSupport,
    private readonly versions: PromptVersionRepository,
    private readonly remote: RemoteContent,
    private readonly resources: ResourcesService,
  ) {
    super(repo, support);
    const { promptRenderTimeoutMs, maxPromptOutputSize } = support.config.catalog;
    this.renderer = new PromptRenderer({ timeoutMs: promptRenderTimeoutMs, maxOutputChars: maxPromptOutputSize });
  }

  protected keyOf(prompt: Prompt): string {
    return prompt.name;
  }

  /** Creates a local prompt and its version 1, in one transaction with the audit entry. */
  async create(dto: CreatePromptDto): Promise<PromptWithWarnings> {
    const content = await this.prepare(dto);
    const saved = await this.createItem(
      {
        name: dto.name,
        originalName: dto.name,
        description: dto.description ?? null,
        template: content.template,
        messages: content.messages,
        arguments: content.arguments,
        gatewayId: null,
        tags: dto.tags ?? [],
        enabled: dto.enabled ?? true,
      },
      {},
      async (item) => {
        await this.versions.insert(snapshot(item));
      },
    );
    return withWarnings(saved, content.warnings);
  }

  /**
   * Updates a prompt. Every update that changes anything (content or metadata such as name or tags) stores a version
   * numbered like the prompt's new `version`; an update that changes nothing stores none.
   */
  update(id: string, dto: UpdatePromptDto): Promise<PromptWithWarnings> {
    let warnings: string[] = [];
    return this.versioned(id, dto.version, 'update', async (current) => {
      const contentGiven = dto.template !== undefined || dto.messages !== undefined || dto.arguments !== undefined;
      if (current.gatewayId && (dto.name !== undefined || contentGiven)) {
        throw new ValidationError('gatewayId', 'this prompt is federated from a peer gateway: its name, template, messages and arguments come from the peer');
      }
      const patch: Partial<Prompt> = {};
      if (dto.name !== undefined) patch.name = patch.originalName = dto.name;
      if (dto.description !== undefined) patch.description = dto.description;
      if (dto.tags !== undefined) patch.tags = dto.tags;
      if (dto.enabled !== undefined) patch.enabled = dto.enabled;
      if (contentGiven) {
        const { warnings: w, ...content } = await this.prepare(dto, current);
        Object.assign(patch, content);
        warnings = w;
      }
      return patch;
    }).then((p) => withWarnings(p, warnings));
  }

  /**
   * Restores the content of stored version `target` as a new version (history is append-only), audited as
   * `rollback`. Restoring content equal to the current one changes nothing (no new version): rollbacks are idempotent.
   */
  rollback(idOrName: string, target: number, expectedVersion?: number): Promise<Prompt> {
    return this.support.uow.transaction(async () => {
      const prompt = await this.local(idOrName);
      const chosen = await this.getVersionOf(prompt, target);
      return this.versioned(
        prompt.id,
        expectedVersion,
        'rollback',
        (): Partial<Prompt> => {
          // Still valid under today's rules (helpers allowed, MAX_PROMPT_SIZE)?
          this.analyze(chosen.template, chosen.messages);
          return { template: chosen.template, messages: chosen.messages, arguments: chosen.arguments, description: chosen.description };
        },
        target,
      );
    });
  }

  /** The stored versions of a local prompt, newest first. */
  async listVersions(idOrName: string, options: Pick<ListOptions, 'limit' | 'cursor'> = {}): Promise<Page<PromptVersion>> {
    const prompt = await this.local(idOrName);
    return this.versions.list(prompt.id, this.pageSize(options.limit), options.cursor);
  }

  async getVersion(idOrName: string, version: number): Promise<PromptVersion> {
    return this.getVersionOf(await this.local(idOrName), version);
  }

  /** Makes the prompts stored for a peer match what it lists. Peers render their own prompts; no template is kept. */
  syncFederated(
    peer: { id: string; name: string },
    prompts: Array<Pick<Prompt, 'name' | 'originalName' | 'description' | 'arguments'>>,
    onConflict: 'fail' | 'skip',
  ): Promise<SyncCounts> {
    const desired = prompts.map((p) => ({ ...p, template: '', messages: null, gatewayId: peer.id }));
    return this.syncFromPeer(peer.id, peer.name, desired, (p) => p.originalName, ['name', 'description', 'arguments'], onConflict);
  }

  /** Enables or disables a prompt: a change like any other, so it stores a version too (numbers never skip). */
  override setEnabled(id: string, enabled: boolean): Promise<Prompt> {
    return this.versioned(id, undefined, enabled ? 'enable' : 'disable', () => ({ enabled }));
  }

  /** Looks a prompt up by id, then by name (the reference gateway accepts either). */
  async getByIdOrName(idOrName: string): Promise<Prompt> {
    const prompt = (await this.repo.findById(idOrName)) ?? (await this.repo.findByKey(idOrName));
    if (!prompt) throw new NotFoundError(this.label, idOrName);
    return prompt;
  }

  /**
   * Renders a local prompt (422 naming each missing required argument), or asks the peer for a federated one.
   * A template is split into messages at `# User:` / `# Assistant:` lines; a `messages` list renders its text
   * parts and embeds the catalog resources it refers to by URI.
   */
  async render(idOrName: string, args: Record<string, unknown>): Promise<RenderedPrompt> {
    const prompt = await this.getByIdOrName(idOrName);
    if (prompt.gatewayId) {
      const strings = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      return (await this.remote.getPrompt(prompt, strings)) as unknown as RenderedPrompt;
    }
    assertRequiredArguments(prompt.arguments, args);
    const description = prompt.description ? { description: prompt.description } : {};
    if (!prompt.messages) return { ...description, messages: splitMessages(this.renderer.renderText(prompt.template, args)) };
    let budget = this.support.config.catalog.maxPromptOutputSize;
    const messages: PromptMessage[] = [];
    for (const [i, m] of prompt.messages.entries()) {
      let content: PromptContent;
      if (m.content.type === 'text') {
        const text = this.renderer.renderText(m.content.text, args, `messages.${i}.content.text`, budget);
        budget -= text.length;
        content = { type: 'text', text };
      } else if (isCatalogReference(m.content)) {
        content = { type: 'resource', resource: await this.embed(m.content.resource, `messages.${i}.content.resource.uri`) };
      } else {
        content = m.content as PromptContent;
      }
      messages.push({ role: m.role, content });
    }
    return { ...description, messages };
  }

  protected override async beforeDelete(prompt: Prompt): Promise<void> {
    await this.versions.deleteByPrompt(prompt.id);
  }

  /**
   * Applies `change` through `modifyItem` (optimistic lock, audit entry `action`, event) and, for a local prompt
   * that changed (its `version` went up), appends the version row of its content: all in one transaction.
   */
  private versioned(
    id: string,
    expectedVersion: number | undefined,
    action: 'update' | 'rollback' | 'enable' | 'disable',
    change: (current: Prompt) => Promise<Partial<Prompt>> | Partial<Prompt>,
    restoredFrom: number | null = null,
  ): Promise<Prompt> {
    return this.support.uow.transaction(async () => {
      let before: Prompt | undefined;
      const updated = await this.modifyItem(
        id,
        async (current) => {
          before = current;
          return { patch: await change(current) };
        },
        { expectedVersion, action },
      );
      const changed = before !== undefined && updated.version !== before.version;
      if (changed && !updated.gatewayId) await this.versions.insert(snapshot(updated, restoredFrom));
      return updated;
    });
  }

  /**
   * Validates new content and works out its arguments. Given arguments win; otherwise they are discovered from the
   * template, except on an update of a prompt whose arguments were declared (they differ from what its template
   * reads), which keeps them. Warnings name disagreements between the arguments and the template.
   */
  private async prepare(input: ContentInput, current?: Prompt): Promise<PreparedContent> {
    if (input.template !== undefined && input.messages !== undefined) throw new ValidationError('messages', 'give either `template` or `messages`, not both');
    let template: string;
    let messages: PromptMessageTemplate[] | null;
    if (input.template !== undefined) [template, messages] = [input.template, null];
    else if (input.messages !== undefined) [template, messages] = ['', normalizeMessages(input.messages, this.support.config.catalog.maxResourceSize)];
    else if (current) [template, messages] = [current.template, current.messages];
    else throw new ValidationError('template', 'give a `template` or a `messages` list');
    if (messages?.length === 0) throw new ValidationError('messages', 'must contain at least one message');

    const analysis = this.analyze(template, messages);
    let declared = input.arguments ?? undefined;
    let previous: PromptArgument[] = [];
    if (input.arguments === undefined && current) {
      if (this.declaredArguments(current)) declared = current.arguments;
      else previous = current.arguments;
    }
    const resolved = resolveArguments(analysis, declared, previous);
    return { template, messages, arguments: resolved.arguments, warnings: [...resolved.warnings, ...(await this.unresolvedResources(messages))] };
  }

  /** Checks sizes, parses and vets every template part, and merges what they read. */
  private analyze(template: string, messages: PromptMessageTemplate[] | null): TemplateAnalysis {
    assertTemplateSize(template, messages, this.support.config.catalog.maxPromptSize);
    const variables = new Map<string, boolean>();
    const ignored = new Set<string>();
    for (const part of templateParts(template, messages)) {
      this.renderer.assertValid(part.text, part.field);
      const a = this.renderer.analyze(part.text, part.field);
      for (const v of a.variables) variables.set(v.name, (variables.get(v.name) ?? false) || v.required);
      for (const name of a.ignored) ignored.add(name);
    }
    return { variables: [...variables].map(([name, required]) => ({ name, required })), ignored: [...ignored] };
  }

  /** Whether a prompt's arguments were declared rather than discovered: their names differ from what it reads. */
  private declaredArguments(prompt: Prompt): boolean {
    let read: string[];
    try {
      read = this.analyze(prompt.template, prompt.messages).variables.map((v) => v.name);
    } catch {
      return true;
    }
    const names = prompt.arguments.map((a) => a.name);
    return names.length !== read.length || names.some((n) => !read.includes(n));
  }

  /** Warnings for embedded resources given by URI that the catalog does not (yet) hold. */
  private async unresolvedResources(messages: PromptMessageTemplate[] | null): Promise<string[]> {
    const warnings: string[] = [];
    for (const [i, m] of (messages ?? []).entries()) {
      if (!isCatalogReference(m.content)) continue;
      const r = await this.resources.findByKey(m.content.resource.uri);
      if (!r || r.uriTemplate) {
        warnings.push(`messages.${i}.content.resource: \`${m.content.resource.uri}\` is not a resource of the catalog (yet): rendering fails until it is`);
      }
    }
    return warnings;
  }

  /** The content of the enabled catalog resource `ref.uri`, as an embedded resource (read from its peer if federated). */
  private async embed(ref: ResourceContents, field: string): Promise<EmbeddedResourceContents> {
    const r = await this.resources.findByKey(ref.uri);
    if (!r || !r.enabled || r.uriTemplate) {
      throw new ConflictError(`${field}: the prompt embeds '${ref.uri}', which is not an enabled resource of the catalog`, { field, uri: ref.uri });
    }
    const content = r.gatewayId ? await this.resources.read(r.id) : this.resources.toContent(r);
    const mimeType = ref.mimeType ?? content.mimeType ?? undefined;
    const base = { uri: ref.uri, ...(mimeType ? { mimeType } : {}) };
    return content.blob !== undefined ? { ...base, blob: content.blob } : { ...base, text: content.text ?? '' };
  }

  /** A local prompt (404 if unknown); federated prompts have no versions here (409). */
  private async local(idOrName: string): Promise<Prompt> {
    const prompt = await this.getByIdOrName(idOrName);
    if (prompt.gatewayId) {
      throw new ConflictError(
        `Prompt '${prompt.name}' is federated from peer '${prompt.federationSource ?? prompt.gatewayId}': its content lives at the peer, so it has no versions here`,
        { gatewayId: prompt.gatewayId },
      );
    }
    return prompt;
  }

  private async getVersionOf(prompt: Prompt, version: number): Promise<PromptVersion> {
    const found = await this.versions.find(prompt.id, version);
    if (!found) throw new NotFoundError('Prompt version', `${prompt.name} version ${version}`);
    return found;
  }
}

function pickContent(p: PromptContentFields): PromptContentFields {
  return Object.fromEntries(VERSIONED_FIELDS.map((f) => [f, p[f]])) as unknown as PromptContentFields;
}

/** The version row of a prompt's current content. */
function snapshot(p: Prompt, restoredFrom: number | null = null): PromptVersion {
  return { promptId: p.id, version: p.version, ...pickContent(p), createdAt: p.modifiedAt, createdBy: p.modifiedBy, restoredFrom };
}

function withWarnings(prompt: Prompt, warnings: string[]): PromptWithWarnings {
  return warnings.length ? { ...prompt, warnings } : prompt;
}
