import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ServerRepository } from '../../src/modules/servers/repositories/server.repository';
import { ToolRepository } from '../../src/modules/tools/repositories/tool.repository';
import { ResourceRepository } from '../../src/modules/resources/repositories/resource.repository';
import { testDialect, type TestDatabase } from '../support/databases';
import { createTestApp } from '../support/gateway';
import { makeResource, makeServer, makeTool } from '../factories/catalog.factory';

/** The admin UI's offset listings: filtering, sorting and paging done by the database, on every dialect. */
describe(`admin listings (listPage) on ${testDialect()}`, () => {
  let app: INestApplication;
  let db: TestDatabase;
  let tools: ToolRepository;
  const prefix = `lp${Date.now().toString(36)}_`;

  beforeAll(async () => {
    ({ app, db } = await createTestApp());
    await app.init();
    tools = app.get(ToolRepository);
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 30; i++) {
      await tools.insert(
        makeTool({
          name: `${prefix}${String(i).padStart(2, '0')}`,
          enabled: i % 3 !== 0,
          tags: [i % 2 ? 'odd' : 'even'],
          createdAt: new Date(base + (30 - i) * 60_000),
          modifiedAt: new Date(base + i * 60_000),
        }),
      );
    }
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('pages by offset in key order with the total of matching items (disabled ones included on request)', async () => {
    const first = await tools.listPage({ search: prefix, includeInactive: true, offset: 0, limit: 10 });
    expect(first.total).toBe(30);
    expect(first.items.map((t) => t.name)).toEqual(Array.from({ length: 10 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`));
    const last = await tools.listPage({ search: prefix, includeInactive: true, offset: 25, limit: 10 });
    expect(last.items.map((t) => t.name.slice(-2))).toEqual(['25', '26', '27', '28', '29']);
    expect((await tools.listPage({ search: prefix, offset: 0, limit: 50 })).total).toBe(20);
  });

  it('sorts by a whitelisted column in either direction, and falls back to the key for anything else', async () => {
    const byModified = await tools.listPage({ search: prefix, includeInactive: true, sort: 'modifiedAt', order: 'desc', offset: 0, limit: 3 });
    expect(byModified.items.map((t) => t.name.slice(-2))).toEqual(['29', '28', '27']);
    const byCreated = await tools.listPage({ search: prefix, includeInactive: true, sort: 'createdAt', order: 'asc', offset: 0, limit: 3 });
    expect(byCreated.items.map((t) => t.name.slice(-2))).toEqual(['29', '28', '27']);
    const injected = await tools.listPage({ search: prefix, includeInactive: true, sort: 'name; DROP TABLE tools', order: 'desc', offset: 0, limit: 2 });
    expect(injected.items.map((t) => t.name.slice(-2))).toEqual(['29', '28']);
  });

  it('combines search and tag filters', async () => {
    const page = await tools.listPage({ search: `${prefix}1`, tags: ['odd'], includeInactive: true, offset: 0, limit: 50 });
    expect(page.items.map((t) => t.name.slice(-2))).toEqual(['11', '13', '15', '17', '19']);
    expect(page.total).toBe(5);
  });

  it('loads virtual servers with their associations and resources by URI order', async () => {
    const servers = app.get(ServerRepository);
    const tool = (await tools.listPage({ search: prefix, includeInactive: true, offset: 0, limit: 1 })).items[0];
    const server = await servers.insert(makeServer({ name: `${prefix}server` }));
    await servers.setAssociations(server.id, 'tools', [tool.id]);
    const page = await servers.listPage({ search: prefix, includeInactive: true, offset: 0, limit: 10 });
    expect(page.items[0].associatedTools).toEqual([tool.id]);
    const resources = app.get(ResourceRepository);
    await resources.insert(makeResource({ uri: `file:///${prefix}/b` }));
    await resources.insert(makeResource({ uri: `file:///${prefix}/a` }));
    const res = await resources.listPage({ search: prefix, includeInactive: true, offset: 0, limit: 10 });
    expect(res.items.map((r) => r.uri)).toEqual([`file:///${prefix}/a`, `file:///${prefix}/b`]);
  });

  it('has the AdminIndexes migration indexes on every catalog table', async () => {
    const runner = app.get(DataSource).createQueryRunner();
    try {
      for (const table of ['tools', 'resources', 'prompts', 'servers', 'gateways']) {
        const names = (await runner.getTable(table))!.indices.map((i) => i.name);
        expect(names).toEqual(expect.arrayContaining([`ix_${table}_created_at`, `ix_${table}_modified_at`, expect.stringMatching(new RegExp(`^ix_${table}_enabled_`))]));
      }
    } finally {
      await runner.release();
    }
  });
});
