import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { PromptVersions1764400000000 } from '../../migrations/1764400000000-PromptVersions';
import { encodeCursor } from '../../src/common/catalog/cursor';
import { ConflictError, ValidationError } from '../../src/common/errors/domain-error';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions, pendingMigrations, runMigrations } from '../../src/database/data-source';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { GatewayRepository } from '../../src/modules/federation/repositories/gateway.repository';
import { PromptVersionEntity } from '../../src/modules/prompts/persistence/prompt-version.entity';
import { PromptsService } from '../../src/modules/prompts/prompts.service';
import { PromptEntity } from '../../src/modules/prompts/persistence/prompt.entity';
import type { PromptMessageTemplate } from '../../src/modules/prompts/prompt.model';
import { PromptVersionRepository } from '../../src/modules/prompts/repositories/prompt-version.repository';
import { PromptRepository } from '../../src/modules/prompts/repositories/prompt.repository';
import { makeGateway, makePrompt, makePromptVersion } from '../factories/catalog.factory';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/databases';
import { createTestApp } from '../support/gateway';

const MESSAGES: PromptMessageTemplate[] = [
  { role: 'user', content: { type: 'text', text: 'Zażółć {{gęślą}} 🚀 "quotes" \\ back' } },
  { role: 'user', content: { type: 'image', data: Buffer.from('img').toString('base64'), mimeType: 'image/png' } },
  { role: 'assistant', content: { type: 'resource', resource: { uri: 'docs://x', mimeType: 'text/plain', text: 'inline' } } },
  { role: 'user', content: { type: 'resource_link', uri: 'docs://y', name: 'Y' } },
];

describe(`prompt versions on ${testDialect()}`, () => {
  describe('repository', () => {
    let app: INestApplication;
    let db: TestDatabase;
    let prompts: PromptRepository;
    let versions: PromptVersionRepository;
    let uow: UnitOfWork;

    beforeAll(async () => {
      ({ app, db } = await createTestApp());
      await app.init();
      prompts = app.get(PromptRepository);
      versions = app.get(PromptVersionRepository);
      uow = app.get(UnitOfWork);
    });
    afterAll(async () => {
      await app.close();
      await db.drop();
    });

    it('round-trips a prompt with a messages list, and one without', async () => {
      const withMessages = await prompts.insert(makePrompt({ template: '', messages: MESSAGES, arguments: [{ name: 'gęślą', required: true }] }));
      expect((await prompts.findById(withMessages.id))!).toEqual(withMessages);
      expect(withMessages.messages).toEqual(MESSAGES);
      expect((await prompts.findById((await prompts.insert(makePrompt())).id))!.messages).toBeNull();
    });

    it('round-trips versions, finds one, and lists newest first with a cursor', async () => {
      const p = await prompts.insert(makePrompt());
      const stored = [1, 2, 3, 5, 8].map((version) =>
        makePromptVersion(p.id, { version, template: `v${version} {{word}}`, description: version === 5 ? 'five' : null, restoredFrom: version === 8 ? 2 : null }),
      );
      stored[3] = { ...stored[3], messages: MESSAGES, template: '' };
      for (const v of stored) await versions.insert(v);
      expect(await versions.find(p.id, 5)).toEqual(stored[3]);
      expect(await versions.find(p.id, 4)).toBeNull();
      expect(await versions.find('other', 5)).toBeNull();

      const seen: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await versions.list(p.id, 2, cursor);
        seen.push(...page.items.map((v) => v.version));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([8, 5, 3, 2, 1]);
      expect((await versions.list(p.id, 10)).items[0]).toEqual(stored[4]);
      // A cursor of a listing sorted by name (a text key) is refused before it reaches SQL.
      await expect(versions.list(p.id, 2, encodeCursor('tool_b'))).rejects.toThrow(ValidationError);
      await expect(versions.list(p.id, 2, encodeCursor('tool_b'))).rejects.toThrow(/^cursor: is not a cursor returned by this API for this listing/);
    });

    it('rejects a second row for the same version with ConflictError, and rolls back with the transaction', async () => {
      const p = await prompts.insert(makePrompt());
      await versions.insert(makePromptVersion(p.id));
      await expect(versions.insert(makePromptVersion(p.id, { template: 'other' }))).rejects.toThrow(ConflictError);
      await expect(
        uow.transaction(async () => {
          await versions.insert(makePromptVersion(p.id, { version: 2 }));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await versions.list(p.id, 10)).items.map((v) => v.version)).toEqual([1]);
    });

    it('deletes the versions of one prompt, and the database cascades when a prompt row goes', async () => {
      const [a, b] = [await prompts.insert(makePrompt()), await prompts.insert(makePrompt())];
      for (const version of [1, 2]) {
        await versions.insert(makePromptVersion(a.id, { version }));
        await versions.insert(makePromptVersion(b.id, { version }));
      }
      expect(await versions.deleteByPrompt(a.id)).toBe(2);
      expect((await versions.list(a.id, 10)).items).toEqual([]);
      expect((await versions.list(b.id, 10)).items).toHaveLength(2);
      await prompts.delete(b.id);
      expect((await versions.list(b.id, 10)).items).toEqual([]);
    });

    it('refuses a version of a prompt that does not exist (foreign key)', async () => {
      await expect(versions.insert(makePromptVersion('no-such-prompt'))).rejects.toThrow();
    });

    it('drops the versions of a peer’s prompts when the peer goes (cascade through prompts)', async () => {
      const gateways = app.get(GatewayRepository);
      const peer = await gateways.insert(makeGateway());
      const p = await prompts.insert(makePrompt({ gatewayId: peer.id }));
      await versions.insert(makePromptVersion(p.id));
      await gateways.delete(peer.id);
      expect(await prompts.findById(p.id)).toBeNull();
      expect((await versions.list(p.id, 10)).items).toEqual([]);
    });
  });

  describe('PromptsService on the real repositories', () => {
    let app: INestApplication;
    let db: TestDatabase;
    let service: PromptsService;
    let versions: PromptVersionRepository;

    beforeAll(async () => {
      ({ app, db } = await createTestApp());
      await app.init();
      service = app.get(PromptsService);
      versions = app.get(PromptVersionRepository);
    });
    afterAll(async () => {
      await app.close();
      await db.drop();
    });

    const numbers = async (id: string) => (await versions.list(id, 100)).items.map((v) => v.version);

    it('stores a version for every change (metadata and state too), numbered like the prompt, none for a no-op', async () => {
      const p = await service.create({ name: 'every_update', template: 'Hi {{who}}' });
      await service.update(p.id, { tags: ['a'] });
      await service.setEnabled(p.id, false);
      await service.update(p.id, { name: 'every_update_renamed' });
      await service.update(p.id, { tags: ['a'] }); // no change: no bump, no version
      await service.update(p.id, { template: 'Hello {{who}}' });
      const rolled = await service.rollback(p.id, 1);
      expect(rolled.version).toBe(6);
      expect(await numbers(p.id)).toEqual([6, 5, 4, 3, 2, 1]);
      expect(await versions.find(p.id, 3)).toMatchObject({ template: 'Hi {{who}}', restoredFrom: null });
      expect(await versions.find(p.id, 6)).toMatchObject({ template: 'Hi {{who}}', restoredFrom: 1 });
      // Rolling back to the current content changes nothing.
      expect((await service.rollback(p.id, 2)).version).toBe(6);
      expect(await numbers(p.id)).toHaveLength(6);
    });

    it('rolls the update back when its version row cannot be stored (nothing half-applied)', async () => {
      const p = await service.create({ name: 'atomic_update', template: 'x {{y}}' });
      await versions.insert(makePromptVersion(p.id, { version: 2 })); // occupies the number the next update takes
      await expect(service.update(p.id, { tags: ['t'] })).rejects.toThrow(ConflictError);
      expect(await service.get(p.id)).toMatchObject({ version: 1, tags: [] });
      await expect(service.setEnabled(p.id, false)).rejects.toThrow(ConflictError);
      expect(await service.get(p.id)).toMatchObject({ version: 1, enabled: true });
    });
  });

  describe('migration 1764400000000-PromptVersions', () => {
    let db: TestDatabase;
    /** Before the migration the entities do not match the schema yet: raw rows only. */
    const open = (migrations: typeof MIGRATIONS, withEntities: boolean) =>
      new DataSource({ ...dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database), migrations, entities: withEntities ? [PromptEntity, PromptVersionEntity] : [] }).initialize();

    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db.drop());

    it('backfills one version per local prompt from its current content; federated prompts get none; reverts cleanly', async () => {
      const before = MIGRATIONS.filter((m) => m !== PromptVersions1764400000000);
      expect(before).toHaveLength(MIGRATIONS.length - 1);
      let ds = await open(before, false);
      try {
        await runMigrations(ds);
        const at = (s: number) => new Date(Date.UTC(2025, 0, 2, 3, 4, s, 500));
        const row = (id: string, name: string, version: number, extra: Record<string, unknown> = {}) => ({
          id,
          name,
          original_name: name,
          description: null,
          template: `Hello {{who}} from ${name}`,
          arguments: JSON.stringify([{ name: 'who', description: 'Whom to greet', required: true }]),
          gateway_id: null,
          enabled: true,
          tags: '[]',
          created_at: at(1),
          created_by: 'creator',
          modified_at: at(version),
          modified_by: `editor-${version}`,
          version,
          ...extra,
        });
        const insert = async (table: string, values: Record<string, unknown>) => {
          const q = (name: string) => ds.driver.escape(name);
          const columns = Object.keys(values);
          const [sql, params] = ds.driver.escapeQueryWithParameters(
            `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})`,
            values,
          );
          await ds.query(sql, params);
        };
        await insert('gateways', { id: 'peer1', name: 'peer', slug: 'peer', url: 'http://127.0.0.1:1/mcp', transport: 'STREAMABLEHTTP', enabled: true, tags: '[]', created_at: at(0), modified_at: at(0), version: 1 });
        await insert('prompts', row('local1', 'greet', 1));
        await insert('prompts', row('local2', 'greet_more', 4, { description: 'edited 🚀' }));
        await insert('prompts', row('fed1', 'peer-remote', 2, { gateway_id: 'peer1', template: '' }));
      } finally {
        await ds.destroy();
      }

      ds = await open(MIGRATIONS, true);
      try {
        expect(await pendingMigrations(ds)).toEqual(['PromptVersions1764400000000']);
        expect(await runMigrations(ds)).toEqual(['PromptVersions1764400000000']);
        const rows = await ds.getRepository(PromptVersionEntity).find({ order: { promptId: 'ASC' } });
        const prompts = await ds.getRepository(PromptEntity).find();
        expect(prompts.map((p) => p.messages)).toEqual([null, null, null]);
        const p2 = prompts.find((p) => p.id === 'local2')!;
        expect(rows).toEqual([
          {
            promptId: 'local1',
            version: 1,
            template: 'Hello {{who}} from greet',
            messages: null,
            arguments: [{ name: 'who', description: 'Whom to greet', required: true }],
            description: null,
            createdAt: prompts.find((p) => p.id === 'local1')!.modifiedAt,
            createdBy: 'editor-1',
            restoredFrom: null,
          },
          {
            promptId: 'local2',
            version: 4,
            template: 'Hello {{who}} from greet_more',
            messages: null,
            arguments: [{ name: 'who', description: 'Whom to greet', required: true }],
            description: 'edited 🚀',
            createdAt: p2.modifiedAt,
            createdBy: 'editor-4',
            restoredFrom: null,
          },
        ]);
        expect(p2.modifiedAt.toISOString()).toBe('2025-01-02T03:04:04.500Z');

        await ds.undoLastMigration({ transaction: 'each' });
        const runner = ds.createQueryRunner();
        try {
          expect(await runner.hasTable('prompt_versions')).toBe(false);
          expect((await runner.getTable('prompts'))!.findColumnByName('messages')).toBeUndefined();
          // The prompts themselves survive the revert.
          expect((await runner.query('SELECT id FROM prompts ORDER BY id')).map((r: { id: string }) => r.id)).toEqual(['fed1', 'local1', 'local2']);
        } finally {
          await runner.release();
        }
        expect(await runMigrations(ds)).toEqual(['PromptVersions1764400000000']);
        expect(await ds.getRepository(PromptVersionEntity).count()).toBe(2);
      } finally {
        await ds.destroy();
      }
    });
  });
});
