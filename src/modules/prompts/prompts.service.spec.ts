import { CatalogSupport } from '../../common/catalog/catalog.service';
import type { RemoteContent } from '../../common/catalog/remote-content';
import type { RequestContext } from '../../common/context/request-context';
import { ConflictError, DomainError, ErrorCode, NotFoundError, VersionConflictError } from '../../common/errors/domain-error';
import type { CatalogEvents } from '../../common/events/catalog-events';
import { loadConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import { makePrompt, makeResource } from '../../../test/factories/catalog.factory';
import { fakeCatalogRepository, strictMock } from '../../../test/support/unit';
import type { AuditService } from '../audit/audit.service';
import type { Resource } from '../resources/resource.model';
import type { ResourcesService } from '../resources/resources.service';
import type { CreatePromptDto } from './dto/create-prompt.dto';
import type { UpdatePromptDto } from './dto/update-prompt.dto';
import type { Prompt, PromptVersion } from './prompt.model';
import type { PromptVersionRepository } from './repositories/prompt-version.repository';
import type { PromptRepository } from './repositories/prompt.repository';
import { PromptsService } from './prompts.service';

function setup() {
  const stored = new Map<string, Prompt>();
  const repo = fakeCatalogRepository<Prompt, PromptRepository>(stored, { label: 'prompt', key: 'name' });
  const rows: PromptVersion[] = [];
  const versions = {
    insert: jest.fn(async (v: PromptVersion) => {
      if (rows.some((r) => r.promptId === v.promptId && r.version === v.version)) throw new ConflictError('duplicate version');
      rows.push(v);
    }),
    find: jest.fn(async (promptId: string, version: number) => rows.find((r) => r.promptId === promptId && r.version === version) ?? null),
    list: jest.fn(async (promptId: string) => ({ items: rows.filter((r) => r.promptId === promptId).sort((a, b) => b.version - a.version), nextCursor: null })),
    deleteByPrompt: jest.fn(async (promptId: string) => rows.filter((r) => r.promptId === promptId).length),
  };
  const remote = { getPrompt: jest.fn(async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'from peer' } }] })) };
  const resources = { findByKey: jest.fn(async (): Promise<Resource | null> => null), read: jest.fn(), toContent: jest.fn() };
  const audit = { record: jest.fn(async () => undefined) };
  const events = { changed: jest.fn() };
  const uow = { transaction: <T>(work: () => Promise<T>) => work() };
  const context = { actor: () => ({ name: 'alice', via: 'api' as const }) };
  const config = loadConfig({ MAX_PROMPT_SIZE: '200' });
  const support = new CatalogSupport(strictMock<UnitOfWork>('uow', uow), strictMock<AuditService>('audit', audit), strictMock<RequestContext>('context', context), strictMock<CatalogEvents>('events', events), config);
  const service = new PromptsService(
    repo,
    support,
    strictMock<PromptVersionRepository>('versions', versions),
    strictMock<RemoteContent>('remote', remote),
    strictMock<ResourcesService>('resources', resources),
  );
  const put = (overrides: Partial<Prompt> = {}) => {
    const p = makePrompt(overrides);
    stored.set(p.id, p);
    return p;
  };
  return { service, repo, versions, rows, remote, resources, audit, put };
}

const create = (dto: Partial<CreatePromptDto>) => dto as CreatePromptDto;
const update = (dto: Partial<UpdatePromptDto>) => dto as UpdatePromptDto;
const failure = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as DomainError;

describe('PromptsService', () => {
  describe('create', () => {
    it('discovers the arguments, stores version 1 and audits', async () => {
      const { service, rows, audit } = setup();
      const p = await service.create(create({ name: 'explain', template: '# User: Explain {{topic}}{{#if brief}} briefly{{/if}}' }));
      expect(p).toMatchObject({ version: 1, arguments: [{ name: 'topic', required: true }, { name: 'brief', required: false }] });
      expect(p.warnings).toBeUndefined();
      expect(rows).toEqual([expect.objectContaining({ promptId: p.id, version: 1, template: p.template, createdBy: 'alice', restoredFrom: null })]);
      expect(audit.record).toHaveBeenCalledWith('prompt', p.id, 'explain', 'create', expect.arrayContaining(['template', 'arguments']));
    });

    it('warns about declared arguments the template does not read, and embedded resources the catalog lacks', async () => {
      const { service } = setup();
      const p = await service.create(
        create({ name: 'w', arguments: [{ name: 'unused' }], messages: [{ role: 'user', content: { type: 'resource', resource: { uri: 'docs://later' } } }] as CreatePromptDto['messages'] }),
      );
      expect(p.warnings).toEqual([expect.stringMatching(/unused/), expect.stringMatching(/^messages\.0\.content\.resource: `docs:\/\/later` is not a resource of the catalog/)]);
    });

    it.each([
      [{ name: 'a', template: 'x', messages: [{ role: 'user', content: { type: 'text', text: 'y' } }] }, ErrorCode.Validation, /^messages: give either/],
      [{ name: 'a' }, ErrorCode.Validation, /^template: give a `template` or a `messages` list/],
      [{ name: 'a', messages: [] }, ErrorCode.Validation, /^messages: must contain at least one message/],
      [{ name: 'a', template: 'Hi {{#if x}}' }, ErrorCode.Validation, /^template: is not a valid Handlebars template/],
      [{ name: 'a', template: '{{log "x"}}' }, ErrorCode.Validation, /^template: /],
      [{ name: 'a', template: 'x'.repeat(201) }, ErrorCode.PayloadTooLarge, /MAX_PROMPT_SIZE/],
    ])('refuses %p (%s) and writes nothing', async (dto, errorCode, message) => {
      const { service, repo, versions } = setup();
      const err = await failure(service.create(create(dto as Partial<CreatePromptDto>)));
      expect(err).toBeInstanceOf(DomainError);
      expect([err.code, err.message]).toEqual([errorCode, expect.stringMatching(message)]);
      expect(repo.insert).not.toHaveBeenCalled();
      expect(versions.insert).not.toHaveBeenCalled();
    });
  });

  describe('update and versions', () => {
    it('stores a version for every change, metadata and state included, and none for a no-op', async () => {
      const { service, put, rows } = setup();
      const p = put({ template: 'Say {{word}}' });
      await service.update(p.id, update({ template: 'Shout {{word}}' }));
      await service.update(p.id, update({ tags: ['loud'] }));
      await service.setEnabled(p.id, false);
      await service.update(p.id, update({ tags: ['loud'] }));
      expect(rows.map((r) => [r.version, r.template])).toEqual([
        [2, 'Shout {{word}}'],
        [3, 'Shout {{word}}'],
        [4, 'Shout {{word}}'],
      ]);
      expect((await service.get(p.id)).version).toBe(4);
    });

    it('refuses content changes of a federated prompt, stale versions and unknown ids, storing no version', async () => {
      const { service, put, versions } = setup();
      const federated = put({ gatewayId: 'peer1' });
      const err = await failure(service.update(federated.id, update({ template: 'x' })));
      expect([err.code, err.message]).toEqual([ErrorCode.Validation, expect.stringMatching(/^gatewayId: /)]);
      await expect(service.update(put().id, update({ tags: ['x'], version: 9 }))).rejects.toThrow(VersionConflictError);
      await expect(service.update('nope', update({ tags: ['x'] }))).rejects.toThrow(NotFoundError);
      expect(versions.insert).not.toHaveBeenCalled();
    });

    it('keeps versions out of federated prompts: listing, reading and rolling back are 409', async () => {
      const { service, put } = setup();
      const federated = put({ gatewayId: 'peer1', federationSource: 'peer-a' });
      for (const call of [service.listVersions(federated.id), service.getVersion(federated.id, 1), service.rollback(federated.id, 1)]) {
        expect((await failure(call)).code).toBe(ErrorCode.Conflict);
      }
    });
  });

  describe('rollback', () => {
    it('restores a stored version as a new one marked restoredFrom, audited as rollback; the same content again is a no-op', async () => {
      const { service, rows, audit } = setup();
      const p = await service.create(create({ name: 'r', template: 'one {{a}}' }));
      await service.update(p.id, update({ template: 'two {{b}}' }));
      const back = await service.rollback(p.name, 1);
      expect(back).toMatchObject({ version: 3, template: 'one {{a}}', arguments: [{ name: 'a', required: true }] });
      expect(rows.at(-1)).toMatchObject({ version: 3, restoredFrom: 1 });
      expect(audit.record).toHaveBeenLastCalledWith('prompt', p.id, 'r', 'rollback', expect.arrayContaining(['template', 'arguments']));
      expect((await service.rollback(p.id, 1)).version).toBe(3);
      expect(rows).toHaveLength(3);
    });

    it('answers 404 for an unknown version or prompt and 409 for a stale expected version', async () => {
      const { service } = setup();
      const p = await service.create(create({ name: 'r', template: 'one' }));
      expect((await failure(service.rollback(p.id, 7))).code).toBe(ErrorCode.NotFound);
      expect((await failure(service.rollback('nope', 1))).code).toBe(ErrorCode.NotFound);
      expect((await failure(service.rollback(p.id, 1, 5))).code).toBe(ErrorCode.VersionConflict);
    });
  });

  describe('render', () => {
    it('renders a template into role messages, by id or name', async () => {
      const { service, put } = setup();
      const p = put({ name: 'chat', description: 'd', template: '# User: Hi {{word}}\n# Assistant: Hello', arguments: [{ name: 'word', required: true }] });
      const expected = {
        description: 'd',
        messages: [
          { role: 'user', content: { type: 'text', text: 'Hi there' } },
          { role: 'assistant', content: { type: 'text', text: 'Hello' } },
        ],
      };
      expect(await service.render(p.id, { word: 'there' })).toEqual(expected);
      expect(await service.render('chat', { word: 'there' })).toEqual(expected);
    });

    it('refuses missing required arguments with a validation error naming each', async () => {
      const { service, put } = setup();
      const p = put({ template: '{{a}} {{b}}', arguments: [{ name: 'a', required: true }, { name: 'b', required: true }] });
      const err = await failure(service.render(p.id, { b: '' }));
      expect([err.code, err.message]).toEqual([ErrorCode.Validation, expect.stringMatching(/arguments\.a: is required.*arguments\.b: is required/)]);
    });

    it('asks the peer for a federated prompt, with the arguments as strings', async () => {
      const { service, put, remote } = setup();
      const p = put({ gatewayId: 'peer1', template: '' });
      expect(await service.render(p.id, { n: 3, s: 'x' })).toEqual({ messages: [{ role: 'user', content: { type: 'text', text: 'from peer' } }] });
      expect(remote.getPrompt).toHaveBeenCalledWith(expect.objectContaining({ id: p.id }), { n: '3', s: 'x' });
    });

    it('embeds a catalog resource by URI, and answers 409 when it is missing or disabled', async () => {
      const { service, put, resources } = setup();
      const p = put({ template: '', arguments: [], messages: [{ role: 'user', content: { type: 'resource', resource: { uri: 'docs://style' } } }] });
      const doc = makeResource({ uri: 'docs://style', textContent: 'Be brief.' });
      resources.findByKey.mockResolvedValueOnce(doc);
      resources.toContent.mockReturnValueOnce({ type: 'resource', id: doc.id, uri: doc.uri, mimeType: 'text/plain', text: 'Be brief.' });
      expect((await service.render(p.id, {})).messages).toEqual([{ role: 'user', content: { type: 'resource', resource: { uri: 'docs://style', mimeType: 'text/plain', text: 'Be brief.' } } }]);
      resources.findByKey.mockResolvedValueOnce({ ...doc, enabled: false });
      const err = await failure(service.render(p.id, {}));
      expect([err.code, err.message]).toEqual([ErrorCode.Conflict, "messages.0.content.resource.uri: the prompt embeds 'docs://style', which is not an enabled resource of the catalog"]);
    });

    it('raises NotFoundError for an unknown prompt', async () => {
      const { service } = setup();
      expect((await failure(service.render('nope', {}))).code).toBe(ErrorCode.NotFound);
    });
  });

  it('deletes the versions with the prompt', async () => {
    const { service, put, versions } = setup();
    const p = put();
    await service.remove(p.id);
    expect(versions.deleteByPrompt).toHaveBeenCalledWith(p.id);
  });
});
