import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import type { ExecutionRecorder } from '../../../observability/metrics/execution-recorder.service';
import type { Tool } from '../tool.model';
import type { ToolResult } from './invocation-context';
import { type ToolExecutor, ToolExecutors } from './tool-executor';
import { ToolInvocationService } from './tool-invocation.service';

const OUTPUT = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };

function tool(over: Partial<Tool> = {}): Tool {
  return {
    id: 't1',
    name: 'calc',
    integrationType: 'LOCAL',
    inputSchema: { type: 'object', properties: { x: { type: 'integer' }, nested: { type: 'object', properties: { 'a/b~c': { type: 'string' } } } } },
    outputSchema: null,
    reachable: true,
    gatewayId: null,
    federationSource: null,
    ...over,
  } as Tool;
}

function setup(result: ToolResult | (() => Promise<ToolResult>)) {
  const executors = new ToolExecutors();
  const run = typeof result === 'function' ? result : async () => result;
  const executor = { integrationType: 'LOCAL', execute: jest.fn<Promise<ToolResult>, Parameters<ToolExecutor['execute']>>(() => run()) };
  executors.register(executor);
  const recorder = { track: jest.fn((_target: unknown, run: () => Promise<ToolResult>) => run()) };
  return { service: new ToolInvocationService(executors, recorder as unknown as ExecutionRecorder), executor, recorder };
}

const text = (r: ToolResult) => (r.content[0] as { text: string }).text;

describe('ToolInvocationService', () => {
  describe('argument validation', () => {
    it.each([
      [{ x: 'one' }, '/x', 'arguments: /x: must be integer'],
      [{ nested: { 'a/b~c': 1 } }, '/nested/a~1b~0c', 'arguments: /nested/a~1b~0c: must be string'],
    ])('refuses %p with a validation error whose data.path is %s, before running anything', async (args, path, message) => {
      const { service, executor, recorder } = setup({ content: [] });
      const err = await service.invoke(tool(), args, {}).catch((e: DomainError) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect([err.message, err.code, err.details]).toEqual([message, ErrorCode.Validation, { field: 'arguments', path }]);
      expect(executor.execute).not.toHaveBeenCalled();
      expect(recorder.track).not.toHaveBeenCalled();
    });

    it('names the missing property in data.path of a required error', async () => {
      const { service } = setup({ content: [] });
      const err = await service.invoke(tool({ inputSchema: { type: 'object', required: ['x'] } }), undefined, {}).catch((e: DomainError) => e);
      expect([err.message, err.details]).toEqual(["arguments: (root): must have required property 'x'", { field: 'arguments', path: '/x' }]);
    });
  });

  describe('results of a tool with an outputSchema', () => {
    it('passes a matching structuredContent through', async () => {
      const result = { content: [{ type: 'text' as const, text: '{"n":1}' }], structuredContent: { n: 1 } };
      expect(await setup(result).service.invoke(tool({ outputSchema: OUTPUT }), {}, {})).toBe(result);
    });

    it.each([
      [{ content: [{ type: 'text' as const, text: 'no structure' }] }, 'Tool calc declares an outputSchema but its result has no structuredContent'],
      [{ content: [], structuredContent: { n: 'x' } }, 'Tool calc: the result does not match its outputSchema: /n: must be integer'],
      [{ content: [], structuredContent: [{ n: 1 }, 2] }, 'Tool calc declares an outputSchema but its structuredContent is not a JSON object: [{"n":1},2]'],
      [{ content: [], structuredContent: 'x'.repeat(600) }, `Tool calc declares an outputSchema but its structuredContent is not a JSON object: "${'x'.repeat(499)}…`],
    ])('turns %p into an isError result', async (result, message) => {
      const out = await setup(result as ToolResult).service.invoke(tool({ outputSchema: OUTPUT }), {}, {});
      expect([out.isError, text(out)]).toEqual([true, message]);
    });

    it('names the tool when its stored outputSchema does not compile; a peer\'s tool passes unchecked', async () => {
      const broken = { type: 'object', properties: { n: { $ref: '#/definitions/nowhere' } } };
      const result = { content: [{ type: 'text' as const, text: '{"n":1}' }], structuredContent: { n: 1 } };
      const local = await setup(result).service.invoke(tool({ outputSchema: broken }), {}, {});
      expect([local.isError, text(local)]).toEqual([true, expect.stringMatching(/^Tool 'calc' outputSchema is not a usable JSON Schema: can't resolve reference/)]);
      expect(await setup(result).service.invoke(tool({ outputSchema: broken, gatewayId: 'g1' }), {}, {})).toBe(result);
    });

    it('leaves isError results and tools without an outputSchema alone', async () => {
      const failed = { content: [{ type: 'text' as const, text: 'boom' }], isError: true };
      expect(await setup(failed).service.invoke(tool({ outputSchema: OUTPUT }), {}, {})).toBe(failed);
      const plain = { content: [{ type: 'text' as const, text: 'hi' }] };
      expect(await setup(plain).service.invoke(tool(), {}, {})).toBe(plain);
    });
  });

  it('turns an executor crash into an isError result, but lets domain errors through', async () => {
    const crash = await setup(async () => Promise.reject(new TypeError('bad'))).service.invoke(tool(), {}, {});
    expect([crash.isError, text(crash)]).toEqual([true, 'Tool calc failed: bad']);
    const domain = new DomainError(ErrorCode.Upstream, 'peer down');
    await expect(setup(async () => Promise.reject(domain)).service.invoke(tool(), {}, {})).rejects.toBe(domain);
  });

  it('answers an unreachable tool with isError and an unknown integration type with Unavailable', async () => {
    const down = await setup({ content: [] }).service.invoke(tool({ reachable: false, federationSource: 'peer-a' }), {}, {});
    expect([down.isError, text(down)]).toEqual([true, "Tool calc is unavailable: its server 'peer-a' is unreachable"]);
    await expect(setup({ content: [] }).service.invoke(tool({ integrationType: 'REST' }), {}, {})).rejects.toMatchObject({ code: ErrorCode.Unavailable });
  });
});
