import type { INestApplication } from '@nestjs/common';
import { ConflictError, ValidationError } from '../../src/common/errors/domain-error';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { AuditRepository } from '../../src/modules/audit/repositories/audit.repository';
import { GatewayRepository } from '../../src/modules/federation/repositories/gateway.repository';
import { PromptRepository } from '../../src/modules/prompts/repositories/prompt.repository';
import { ResourceRepository } from '../../src/modules/resources/repositories/resource.repository';
import { ServerRepository } from '../../src/modules/servers/repositories/server.repository';
import { ToolRepository } from '../../src/modules/tools/repositories/tool.repository';
import { testDialect, type TestDatabase } from '../support/databases';
import { createTestApp } from '../support/gateway';
import { makeGateway, makePrompt, makeResource, makeServer, makeTool } from '../factories/catalog.factory';

describe(`catalog repositories on ${testDialect()}`, () => {
  let app: INestApplication;
  let db: TestDatabase;
  let tools: ToolRepository;
  let resources: ResourceRepository;
  let prompts: PromptRepository;
  let servers: ServerRepository;
  let gateways: GatewayRepository;
  let audit: AuditRepository;
  let uow: UnitOfWork;

  beforeAll(async () => {
    ({ app, db } = await createTestApp());
    await app.init();
    tools = app.get(ToolRepository);
    resources = app.get(ResourceRepository);
    prompts = app.get(PromptRepository);
    servers = app.get(ServerRepository);
    gateways = app.get(GatewayRepository);
    audit = app.get(AuditRepository);
    uow = app.get(UnitOfWork);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  describe('tools (the shared catalog repository)', () => {
    it('round-trips every field type: JSON, booleans, dates, nulls, unicode', async () => {
      const tool = makeTool({ description: 'zażółć 🚀 "quotes" \\ back', tags: ['a', 'b'], outputSchema: { type: 'object' } });
      await tools.insert(tool);
      const loaded = await tools.findById(tool.id);
      expect(loaded).toEqual(tool);
      expect(loaded!.createdAt).toBeInstanceOf(Date);
      expect(await tools.findByKey(tool.name)).toEqual(tool);
    });

    it('round-trips the adapter fields of REST and CLI tools (ToolAdapters migration)', async () => {
      const rest = makeTool({ argumentMapping: { id: 'path', 'X-Tenant': 'header' }, timeoutMs: 1500, maxRetries: 0, maxResponseBytes: 2_000_000_000, jsonpathFilter: "$.items[?(@.name == 'ü')]" });
      const cli = makeTool({ integrationType: 'CLI', requestType: 'EXEC', url: null, command: '/usr/bin/printf', args: ['%s\\0', '{a}', "it's \"quoted\""], workingDirectory: '/tmp' });
      for (const tool of [rest, cli]) {
        await tools.insert(tool);
        expect(await tools.findById(tool.id)).toEqual(tool);
      }
    });

    it('rejects a duplicate name with ConflictError naming the key', async () => {
      const tool = await tools.insert(makeTool());
      await expect(tools.insert(makeTool({ name: tool.name }))).rejects.toThrow(ConflictError);
      await expect(tools.insert(makeTool({ name: tool.name }))).rejects.toThrow(`name '${tool.name}'`);
    });

    it('treats names case-sensitively on every dialect', async () => {
      await tools.insert(makeTool({ name: 'CaseTool' }));
      await expect(tools.insert(makeTool({ name: 'casetool' }))).resolves.toBeDefined();
    });

    it('pages through a listing with a cursor, in key order, without gaps or repeats', async () => {
      const names = ['pg_e', 'pg_a', 'pg_g', 'pg_c', 'pg_b', 'pg_f', 'pg_d'];
      for (const name of names) await tools.insert(makeTool({ name, tags: ['paging'] }));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 4; i++) {
        const page = await tools.list({ tags: ['paging'], limit: 3, cursor });
        seen.push(...page.items.map((t) => t.name));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...names].sort());
    });

    it('filters by any of several tags, by state, by peer and by search text', async () => {
      const red = await tools.insert(makeTool({ name: 'flt_red', tags: ['red', 'shared'] }));
      const blue = await tools.insert(makeTool({ name: 'flt_blue', tags: ['blue'] }));
      const off = await tools.insert(makeTool({ name: 'flt_off', tags: ['red'], enabled: false }));
      const names = async (o: Parameters<ToolRepository['list']>[0]) => (await tools.list(o)).items.map((t) => t.name).sort();
      expect(await names({ tags: ['red'], limit: 50 })).toEqual([red.name]);
      expect(await names({ tags: ['red'], includeInactive: true, limit: 50 })).toEqual([off.name, red.name].sort());
      expect(await names({ tags: ['red', 'blue'], limit: 50 })).toEqual([blue.name, red.name].sort());
      // A tag that is a prefix or substring of another must not match it.
      expect(await names({ tags: ['re'], limit: 50 })).toEqual([]);
      expect(await names({ tags: ['shared'], search: 'RED', limit: 50 })).toEqual([red.name]);
      // LIKE wildcards in the search are literal.
      expect(await names({ search: 'flt%', limit: 50 })).toEqual([]);
    });

    it('filters local vs federated tools by gatewayId, and cascades a peer delete to its tools', async () => {
      const gw = await gateways.insert(makeGateway());
      const fed = await tools.insert(makeTool({ gatewayId: gw.id, federationSource: gw.name }));
      const local = (await tools.list({ gatewayId: null, limit: 500 })).items.map((t) => t.id);
      expect(local).not.toContain(fed.id);
      expect((await tools.list({ gatewayId: gw.id, limit: 50 })).items.map((t) => t.id)).toEqual([fed.id]);
      expect(await gateways.delete(gw.id)).toBe(true);
      expect(await tools.findById(fed.id)).toBeNull();
    });

    it('updates under an optimistic lock: the expected version wins once, a stale one gets null', async () => {
      const tool = await tools.insert(makeTool());
      const updated = await tools.update(tool.id, 1, { description: 'v2' });
      expect(updated).toMatchObject({ description: 'v2', version: 2 });
      expect(await tools.update(tool.id, 1, { description: 'stale' })).toBeNull();
      expect((await tools.findById(tool.id))!.description).toBe('v2');
    });

    it('counts and deletes', async () => {
      const before = await tools.count();
      const tool = await tools.insert(makeTool());
      expect(await tools.count()).toBe(before + 1);
      expect(await tools.delete(tool.id)).toBe(true);
      expect(await tools.delete(tool.id)).toBe(false);
      expect(await tools.count()).toBe(before);
    });

    it('reports the tags of every tool for the /tags aggregate', async () => {
      const t = await tools.insert(makeTool({ tags: ['agg-x', 'agg-y'] }));
      const all = await tools.allTags(true);
      expect(all).toContainEqual({ id: t.id, name: t.name, tags: ['agg-x', 'agg-y'] });
    });
  });

  describe('resources', () => {
    it('stores large text and binary content (MySQL LONGTEXT) but leaves it out of listings', async () => {
      const big = 'x'.repeat(300_000);
      const text = await resources.insert(makeResource({ textContent: big, size: big.length, tags: ['content'] }));
      const bin = await resources.insert(makeResource({ textContent: null, binaryContent: Buffer.alloc(100_000, 7).toString('base64'), mimeType: 'image/png', tags: ['content'] }));
      expect((await resources.findById(text.id))!.textContent).toHaveLength(300_000);
      expect(Buffer.from((await resources.findById(bin.id))!.binaryContent!, 'base64')).toHaveLength(100_000);
      const listed = (await resources.list({ tags: ['content'], limit: 10 })).items;
      expect(listed).toHaveLength(2);
      for (const r of listed) {
        expect(r.textContent).toBeUndefined();
        expect(r.binaryContent).toBeUndefined();
      }
    });

    it('keys resources by URI', async () => {
      const r = await resources.insert(makeResource());
      expect((await resources.findByKey(r.uri))!.id).toBe(r.id);
      await expect(resources.insert(makeResource({ uri: r.uri }))).rejects.toThrow(`uri '${r.uri}'`);
    });
  });

  describe('prompts', () => {
    it('round-trips arguments', async () => {
      const p = await prompts.insert(makePrompt({ arguments: [{ name: 'a', description: 'first', required: true }, { name: 'b' }] }));
      expect((await prompts.findById(p.id))!.arguments).toEqual([{ name: 'a', description: 'first', required: true }, { name: 'b' }]);
    });
  });

  describe('servers and their associations', () => {
    it('stores associations in order, replaces them, and drops them when the member is deleted', async () => {
      const [t1, t2, t3] = await Promise.all([tools.insert(makeTool()), tools.insert(makeTool()), tools.insert(makeTool())]);
      const r = await resources.insert(makeResource());
      const p = await prompts.insert(makePrompt());
      const s = await servers.insert(makeServer());
      await servers.setAssociations(s.id, 'tools', [t3.id, t1.id, t2.id]);
      await servers.setAssociations(s.id, 'resources', [r.id]);
      await servers.setAssociations(s.id, 'prompts', [p.id]);
      let loaded = (await servers.findById(s.id))!;
      expect(loaded.associatedTools).toEqual([t3.id, t1.id, t2.id]);
      expect(loaded.associatedResources).toEqual([r.id]);
      expect(loaded.associatedPrompts).toEqual([p.id]);
      expect(await servers.serversContaining('tools', t1.id)).toEqual([s.id]);

      await servers.setAssociations(s.id, 'tools', [t2.id]);
      expect((await servers.findById(s.id))!.associatedTools).toEqual([t2.id]);

      await tools.delete(t2.id);
      loaded = (await servers.findById(s.id))!;
      expect(loaded.associatedTools).toEqual([]);
      const listed = (await servers.list({ limit: 500 })).items.find((x) => x.id === s.id)!;
      expect(listed.associatedResources).toEqual([r.id]);
    });

    it('removes one member from every server with one delete, keeping the other members, kinds and their order', async () => {
      const [t1, t2, t3] = await Promise.all([tools.insert(makeTool()), tools.insert(makeTool()), tools.insert(makeTool())]);
      const r = await resources.insert(makeResource());
      const [a, b, c] = [await servers.insert(makeServer()), await servers.insert(makeServer()), await servers.insert(makeServer())];
      await servers.setAssociations(a.id, 'tools', [t1.id, t2.id, t3.id]);
      await servers.setAssociations(a.id, 'resources', [r.id]);
      await servers.setAssociations(b.id, 'tools', [t2.id]);
      await servers.setAssociations(c.id, 'tools', [t3.id, t1.id]);
      expect((await servers.serversContaining('tools', t2.id)).sort()).toEqual([a.id, b.id].sort());

      await uow.transaction(() => servers.removeMember('tools', t2.id));
      const [la, lb, lc] = await Promise.all([a, b, c].map(async (s) => (await servers.findById(s.id))!));
      expect([la.associatedTools, lb.associatedTools, lc.associatedTools]).toEqual([[t1.id, t3.id], [], [t3.id, t1.id]]);
      expect(la.associatedResources).toEqual([r.id]);
      expect(await servers.serversContaining('tools', t2.id)).toEqual([]);
      // The entity itself stays (only its memberships go), and a member of no server is a no-op.
      expect(await tools.findById(t2.id)).not.toBeNull();
      await servers.removeMember('tools', t2.id);
      // An id of one kind leaves the other kinds' joins alone.
      await servers.removeMember('resources', t1.id);
      expect((await servers.findById(a.id))!).toMatchObject({ associatedTools: [t1.id, t3.id], associatedResources: [r.id] });

      // Rolled back with its transaction.
      await expect(
        uow.transaction(async () => {
          await servers.removeMember('resources', r.id);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await servers.findById(a.id))!.associatedResources).toEqual([r.id]);
      // Positions left with a gap still order the rest, and a later replace renumbers them.
      await servers.setAssociations(a.id, 'tools', [t3.id, t1.id]);
      expect((await servers.findById(a.id))!.associatedTools).toEqual([t3.id, t1.id]);
    });

    it('tells a duplicate id from a duplicate name (409 naming the right field)', async () => {
      const s = await servers.insert(makeServer({ id: `chosen-${Date.now()}` }));
      const conflict = async (server: ReturnType<typeof makeServer>) => {
        const err = await servers.insert(server).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ConflictError);
        return err as ConflictError;
      };
      const byId = await conflict(makeServer({ id: s.id }));
      expect([byId.message, byId.details]).toEqual([`A server with id '${s.id}' already exists`, { field: 'id' }]);
      const byName = await conflict(makeServer({ name: s.name }));
      expect([byName.message, byName.details]).toEqual([`A server with name '${s.name}' already exists`, { field: 'name' }]);
      // A tool (whose natural key is also unique) as well.
      const t = await tools.insert(makeTool());
      await expect(tools.insert(makeTool({ id: t.id }))).rejects.toMatchObject({ details: { field: 'id' } });
    });

    it('refuses an association to an entity that does not exist', async () => {
      const s = await servers.insert(makeServer());
      await expect(uow.transaction(() => servers.setAssociations(s.id, 'tools', ['nope']))).rejects.toThrow(ValidationError);
    });
  });

  describe('gateways', () => {
    it('finds peers by slug and URL', async () => {
      const g = await gateways.insert(makeGateway({ name: 'Slug Peer', slug: 'slug-peer' }));
      expect((await gateways.findBySlug('slug-peer'))!.id).toBe(g.id);
      expect((await gateways.findByUrl(g.url))!.id).toBe(g.id);
      expect(await gateways.findBySlug('nope')).toBeNull();
    });
  });

  describe('audit trail', () => {
    it('lists newest first with filters and a cursor', async () => {
      const t0 = new Date(Date.now() - 60_000);
      const base = { entityName: 'x', actor: 'auditor', actorIp: null, via: 'api' as const, userAgent: null, requestId: null, changedFields: ['a'] };
      await audit.append({ ...base, timestamp: t0, entityType: 'tool', entityId: 'aud1', action: 'create' });
      await audit.append({ ...base, timestamp: new Date(), entityType: 'tool', entityId: 'aud1', action: 'update' });
      await audit.append({ ...base, timestamp: new Date(), entityType: 'prompt', entityId: 'aud2', action: 'delete' });
      const page1 = await audit.list({ actor: 'auditor' }, 2);
      expect(page1.items.map((e) => e.action)).toEqual(['delete', 'update']);
      const page2 = await audit.list({ actor: 'auditor' }, 2, page1.nextCursor!);
      expect(page2.items.map((e) => e.action)).toEqual(['create']);
      expect(page2.nextCursor).toBeNull();
      expect((await audit.list({ entityType: 'tool', entityId: 'aud1', actions: ['update'] }, 10)).items).toHaveLength(1);
      expect((await audit.list({ actor: 'auditor', since: new Date(Date.now() - 30_000) }, 10)).items).toHaveLength(2);
      expect((await audit.list({ actor: 'auditor', until: new Date(Date.now() - 30_000) }, 10)).items.map((e) => e.action)).toEqual(['create']);
    });
  });

  describe('unit of work', () => {
    it('rolls back every write of a failed transaction and runs after-commit hooks only on success', async () => {
      const tool = makeTool();
      const hooks: string[] = [];
      await expect(
        uow.transaction(async () => {
          await tools.insert(tool);
          uow.afterCommit(() => hooks.push('failed'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await tools.findById(tool.id)).toBeNull();
      await uow.transaction(async () => {
        await tools.insert(tool);
        uow.afterCommit(() => hooks.push('committed'));
        expect(hooks).toEqual([]);
      });
      expect(hooks).toEqual(['committed']);
    });

    it('keeps a concurrent standalone write out of another request’s failing transaction', async () => {
      const inTx = makeTool();
      const outside = makeTool();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const failing = uow
        .transaction(async () => {
          await tools.insert(inTx);
          await gate;
          throw new Error('rollback');
        })
        .catch(() => 'rolled back');
      const standalone = tools.insert(outside);
      setTimeout(release, 50);
      expect(await failing).toBe('rolled back');
      await standalone;
      expect(await tools.findById(inTx.id)).toBeNull();
      expect(await tools.findById(outside.id)).not.toBeNull();
    });
  });
});
