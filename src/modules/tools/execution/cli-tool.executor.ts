import { Injectable } from '@nestjs/common';
import { execFile, type ExecFileException } from 'node:child_process';
import { AppConfig } from '../../../config/app-config';
import type { Tool } from '../tool.model';
import { argvPlaceholders, renderArgv } from './cli-argv';
import type { InvocationContext, ToolResult } from './invocation-context';
import { callDeadline, errorResult, excerpt, structuredResult, type ToolExecutor, ToolExecutors } from './tool-executor';

/** Characters of a command's stderr or stdout quoted in an error. */
const EXCERPT = 1000;

/**
 * The whole environment of a CLI tool's process: a fixed PATH and locale. Nothing of the gateway's own
 * environment (database URL, secrets) is passed on.
 */
export const CLI_TOOL_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' });

interface RunOutcome {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs CLI tools: `execFile` (never a shell) of the tool's command with its argv template filled from the
 * arguments, in its working directory, with a timeout and an output limit (the process is killed when either is
 * exceeded), in a minimal environment. The command must still be in CLI_TOOLS_ALLOWED_COMMANDS when the call is made.
 */
@Injectable()
export class CliToolExecutor implements ToolExecutor {
  readonly integrationType = 'CLI';

  constructor(
    executors: ToolExecutors,
    private readonly config: AppConfig,
  ) {
    executors.register(this);
  }

  async execute(tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    const command = tool.command;
    if (!command) return errorResult(`Tool ${tool.name} has no command`);
    if (!this.config.tools.cliAllowedCommands.includes(command)) {
      return errorResult(`Tool ${tool.name}: command '${command}' is not in CLI_TOOLS_ALLOWED_COMMANDS`);
    }
    // Only a string value can bring a NUL character into argv (JSON escapes it): the OS cannot pass one on.
    const nul = (tool.args ?? []).flatMap(argvPlaceholders).find((n) => typeof args[n] === 'string' && args[n].includes('\0'));
    if (nul !== undefined) return errorResult(`Tool ${tool.name}: argument '${nul}' contains a NUL character, which a command line cannot carry`);
    const argv = renderArgv(tool.args ?? [], args);
    const maxBytes = tool.maxResponseBytes ?? this.config.tools.maxResponseBytes;
    const { timeoutMs, deadline, signal } = callDeadline(tool, ctx, this.config);
    const { error, stdout, stderr } = await new Promise<RunOutcome>((resolve) => {
      execFile(
        command,
        argv,
        {
          cwd: tool.workingDirectory ?? undefined,
          env: { ...CLI_TOOL_ENV },
          maxBuffer: maxBytes,
          killSignal: 'SIGKILL',
          shell: false,
          windowsHide: true,
          signal,
          encoding: 'utf8',
        },
        (err, out, errOut) => resolve({ error: err, stdout: String(out), stderr: String(errOut) }),
      );
    });
    if (!error) return this.toResult(tool, stdout);
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return errorResult(`Tool ${tool.name}: output exceeded ${maxBytes} bytes; the command was killed`);
    if (code === 'ABORT_ERR' || signal.aborted) {
      return errorResult(`Tool ${tool.name}: ${deadline.aborted ? `no result within ${timeoutMs} ms` : 'the call was cancelled'}; the command was killed`);
    }
    if (typeof code === 'number') {
      return errorResult(`Tool ${tool.name}: command exited with code ${code}${stderr.trim() ? `: ${excerpt(stderr, EXCERPT)}` : ''}`);
    }
    if (error.signal) return errorResult(`Tool ${tool.name}: command was killed by ${error.signal}${stderr.trim() ? `: ${excerpt(stderr, EXCERPT)}` : ''}`);
    return errorResult(`Tool ${tool.name}: cannot run '${command}': ${typeof code === 'string' ? `${code} ` : ''}${error.message}`);
  }

  /** stdout as text; for a tool with an `outputSchema`, parsed as the JSON object that is its structuredContent. */
  private toResult(tool: Tool, stdout: string): ToolResult {
    if (!tool.outputSchema) return { content: [{ type: 'text', text: stdout }] };
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch {
      return errorResult(`Tool ${tool.name} declares an outputSchema but its output is not JSON: ${excerpt(stdout, EXCERPT)}`);
    }
    return structuredResult(value, stdout);
  }
}
