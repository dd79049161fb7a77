import { Logger } from '@nestjs/common';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { DomainError, ErrorCode, NotFoundError } from '../../common/errors/domain-error';
import { JsonRpcError, toMcpError } from './mcp-errors';

describe('toMcpError', () => {
  let logged: jest.SpyInstance;
  beforeEach(() => (logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined)));
  afterEach(() => logged.mockRestore());

  it('keeps JSON-RPC errors and maps domain errors to their codes without logging them', () => {
    const own = new JsonRpcError(-32602, 'bad');
    expect(toMcpError(own)).toBe(own);
    const sdk = new McpError(-32001, 'x');
    expect(toMcpError(sdk)).toBe(sdk);
    expect(toMcpError(new NotFoundError('Tool', 't'))).toMatchObject({ code: -32602, message: 'Tool not found: t' });
    expect(toMcpError(new DomainError(ErrorCode.Forbidden, 'no'))).toMatchObject({ code: -32003, message: 'no' });
    expect(toMcpError(new DomainError(ErrorCode.RateLimited, 'slow down', { retryAfter: 3 }))).toMatchObject({ code: -32029, data: { retryAfter: 3 } });
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs an unexpected error with its stack under an errorId, and gives the client only that id', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const mapped = toMcpError(bug) as JsonRpcError;
    const errorId = (mapped.data as { errorId: string }).errorId;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mapped).toMatchObject({ code: -32603, message: `Internal error (errorId ${errorId})` });
    expect(mapped.message).not.toMatch(/Cannot read/);
    expect(logged).toHaveBeenCalledTimes(1);
    const line = String(logged.mock.calls[0][0]);
    expect(line).toContain(`errorId=${errorId}`);
    expect(line).toContain(bug.stack!.split('\n')[1].trim());
    expect((toMcpError('a string') as JsonRpcError).data).toEqual({ errorId: expect.any(String) });
  });
});
