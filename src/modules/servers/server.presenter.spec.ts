import { makeServer, makeTool } from '../../../test/factories/catalog.factory';
import { strictMock } from '../../../test/support/unit';
import type { ToolsService } from '../tools/tools.service';
import { ServerPresenter } from './server.presenter';

describe('ServerPresenter', () => {
  const [alpha, beta] = [makeTool({ name: 'alpha' }), makeTool({ name: 'beta' })];
  const tools = strictMock<ToolsService>('tools', { findByIds: (async (ids: string[]) => [alpha, beta].filter((t) => ids.includes(t.id))) as ToolsService['findByIds'] });
  const presenter = new ServerPresenter(tools);

  it('gives the reference read model: tool names in associatedTools, ids in the ...Ids fields, in the server order', async () => {
    const server = makeServer({ associatedTools: [beta.id, alpha.id], associatedResources: ['r1'], associatedPrompts: ['p1', 'p2'] });
    expect(await presenter.present(server)).toEqual({
      ...server,
      associatedTools: ['beta', 'alpha'],
      associatedToolIds: [beta.id, alpha.id],
      associatedResources: ['r1'],
      associatedResourceIds: ['r1'],
      associatedPrompts: ['p1', 'p2'],
      associatedPromptIds: ['p1', 'p2'],
    });
  });

  it('looks the names of many servers up at once, and leaves out an id without a tool', async () => {
    tools.findByIds.mockClear();
    const [a, b] = [makeServer({ associatedTools: [alpha.id, 'gone'] }), makeServer({ associatedTools: [alpha.id, beta.id] })];
    const out = await presenter.presentAll([a, b]);
    expect(tools.findByIds).toHaveBeenCalledTimes(1);
    expect(tools.findByIds).toHaveBeenCalledWith([alpha.id, 'gone', beta.id]);
    expect(out.map((s) => s.associatedTools)).toEqual([['alpha'], ['alpha', 'beta']]);
    expect(out[0].associatedToolIds).toEqual([alpha.id, 'gone']);
  });
});
