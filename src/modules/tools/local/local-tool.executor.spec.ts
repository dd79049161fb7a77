import { loadConfig } from '../../../config/app-config';
import type { RequestContext } from '../../../common/context/request-context';
import type { InvocationContext, ToolResult } from '../execution/invocation-context';
import { ToolExecutors } from '../execution/tool-executor';
import type { Tool } from '../tool.model';
import type { ToolsService } from '../tools.service';
import { LocalToolExecutor } from './local-tool.executor';
import { type LocalToolProvider, LocalTools } from './local-tool';

const tool = (timeoutMs: number | null = 50) => ({ name: 'work', originalName: 'work', timeoutMs }) as Tool;
const text = (r: ToolResult) => (r.content[0] as { text: string }).text;

/** A provider whose `execute` is given per test; it keeps the context of its last call. */
function setup(execute: LocalToolProvider['execute']) {
  const local = new LocalTools();
  const provider = { definition: { name: 'work', inputSchema: { type: 'object' } }, execute: jest.fn(execute), seen: undefined as InvocationContext | undefined };
  provider.execute.mockImplementation((args, ctx) => {
    provider.seen = ctx;
    return execute(args, ctx);
  });
  local.register(provider);
  const executor = new LocalToolExecutor(new ToolExecutors(), local, {} as ToolsService, {} as RequestContext, loadConfig({}));
  return { executor, provider };
}

const never = () => new Promise<ToolResult>(() => undefined);

describe('LocalToolExecutor', () => {
  it('returns what the provider returns, synchronous or not', async () => {
    const result = { content: [{ type: 'text' as const, text: 'done' }] };
    expect(await setup(() => result).executor.execute(tool(), {}, {})).toBe(result);
    expect(await setup(async () => result).executor.execute(tool(), {}, {})).toBe(result);
  });

  it("ends a call at the tool's timeout with isError, aborting the signal the provider was given", async () => {
    const { executor, provider } = setup(never);
    const started = Date.now();
    const result = await executor.execute(tool(50), {}, {});
    expect(Date.now() - started).toBeLessThan(1000);
    expect([result.isError, text(result)]).toEqual([true, 'Tool work: no result within 50 ms']);
    expect(provider.seen?.signal?.aborted).toBe(true);
    expect((provider.seen?.signal?.reason as Error).name).toBe('TimeoutError');
  });

  it('ends a cancelled call at once (also one cancelled before it started), aborting the signal too', async () => {
    const caller = new AbortController();
    const { executor, provider } = setup(never);
    const running = executor.execute(tool(60_000), {}, { signal: caller.signal });
    caller.abort(new Error('client cancelled'));
    const result = await running;
    expect([result.isError, text(result)]).toEqual([true, 'Tool work: the call was cancelled']);
    expect(provider.seen?.signal?.aborted).toBe(true);
    expect(text(await executor.execute(tool(60_000), {}, { signal: AbortSignal.abort() }))).toBe('Tool work: the call was cancelled');
  });

  it('lets a failure of the provider through (ToolInvocationService reports it), and answers an unknown tool with isError', async () => {
    const { executor } = setup(async () => Promise.reject(new TypeError('bad input')));
    await expect(executor.execute(tool(), {}, {})).rejects.toThrow('bad input');
    const missing = await executor.execute({ ...tool(), name: 'gone', originalName: 'gone' } as Tool, {}, {});
    expect([missing.isError, text(missing)]).toEqual([true, 'Tool gone is not implemented by this gateway instance']);
  });
});
