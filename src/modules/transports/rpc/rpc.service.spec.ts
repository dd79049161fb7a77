import { Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { loadConfig } from '../../../config/app-config';
import type { McpCatalog } from '../mcp-catalog.service';
import type { McpServerFactory } from '../mcp-server.factory';
import { RpcService } from './rpc.service';

function setup(findTool: jest.Mock) {
  const factory = { create: jest.fn(() => ({ connect: jest.fn(), close: jest.fn() })) };
  const service = new RpcService(factory as unknown as McpServerFactory, { findTool } as unknown as McpCatalog, loadConfig({ RPC_MAX_BATCH_SIZE: '3' }));
  return { service, factory };
}

describe('RpcService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers a method that names no MCP method and no tool with -32601', async () => {
    const { service, factory } = setup(jest.fn().mockRejectedValue(new DomainError(ErrorCode.NotFound, 'Unknown tool: nope')));
    expect(await service.handle({ jsonrpc: '2.0', id: 1, method: 'nope' }, {})).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found: nope' } });
    expect(factory.create).not.toHaveBeenCalled();
  });

  it('does not hide a failing tool lookup (e.g. the database is down) behind -32601', async () => {
    const { service } = setup(jest.fn().mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    const answer = await service.handle({ jsonrpc: '2.0', id: 2, method: 'some_tool' }, {});
    expect(answer).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32603, message: expect.stringMatching(/^Internal error \(errorId [0-9a-f-]{36}\)$/), data: { errorId: expect.any(String) } } });
  });

  it('refuses empty batches and batches over RPC_MAX_BATCH_SIZE, and lets others through', () => {
    const { service } = setup(jest.fn());
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect(service.oversizedBatch([])).toMatchObject({ error: { code: -32600, message: 'Invalid Request: empty batch' } });
    expect(service.oversizedBatch([ping, ping, ping, ping])).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('at most 3 messages (RPC_MAX_BATCH_SIZE)') } });
    expect(service.oversizedBatch([ping, ping, ping])).toBeNull();
    expect(service.oversizedBatch(ping)).toBeNull();
  });
});
