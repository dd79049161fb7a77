import { AppConfig } from '../../../config/app-config';
import type { Tool } from '../tool.model';
import { CliToolExecutor } from './cli-tool.executor';
import { ToolExecutors } from './tool-executor';

describe('CliToolExecutor', () => {
  const config = { tools: { cliAllowedCommands: ['/usr/bin/printf'], timeoutMs: 5000, maxResponseBytes: 65536 } } as unknown as AppConfig;
  const executor = new CliToolExecutor(new ToolExecutors(), config);
  const tool = { name: 'argv', command: '/usr/bin/printf', args: ['%s|', '{a}', '--label={b}'] } as unknown as Tool;

  it('refuses a NUL character in a string argument before starting any process', async () => {
    const result = await executor.execute(tool, { a: 'before\0after' }, {});
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: "Tool argv: argument 'a' contains a NUL character, which a command line cannot carry" }] });
  });

  it('passes a NUL inside a JSON-rendered value escaped, so none reaches argv', async () => {
    const result = await executor.execute(tool, { a: 'x', b: { s: 'nul\0' } }, {});
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'x|--label={"s":"nul\\u0000"}|' }]);
  });

  it('refuses a command that is no longer allowed', async () => {
    const result = await executor.execute({ ...tool, command: '/bin/sh' } as Tool, { a: 'x' }, {});
    expect(result).toMatchObject({ isError: true, content: [{ text: "Tool argv: command '/bin/sh' is not in CLI_TOOLS_ALLOWED_COMMANDS" }] });
  });
});
