import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { type GatewayProcess, spawnGateway } from '../support/process';

const PASSWORD = 'websocket upgrade password';

/** Sends `head` (request line and headers) on a raw connection; resolves with everything the gateway answered. */
function raw(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(answer);
    });
  });
}

const upgrade = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n${extra}\r\n`;

/** The gateway as it runs in production: a process of its own, so a crash shows as its exit. */
describe('WebSocket upgrades from hostile clients', () => {
  let gw: GatewayProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpgw-ws-'));
    gw = await spawnGateway({ AUTH_REQUIRED: 'true', BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: PASSWORD }, { cwd: dir });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers malformed URLs with 400, and keeps serving', async () => {
    for (const path of ['//', '/servers/%E0%A4%A/ws', '//x/ws']) {
      const answer = await raw(gw.url, upgrade(path));
      expect([path, answer.split('\r\n')[0]]).toEqual([path, 'HTTP/1.1 400 Bad Request']);
      expect(answer).toMatch(/"error":\{"code":-32600,"message":"Bad Request: malformed URL/);
    }
    expect(gw.child.exitCode).toBeNull();
    await request(gw.url).get('/health').expect(200);
    const basic = `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`;
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { headers: { Authorization: basic } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.close();
  });

  it('survives clients that reset the connection while their upgrade is being checked', async () => {
    const basic = `Authorization: Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}\r\n`;
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const { hostname, port } = new URL(gw.url);
        const socket: Socket = connect(Number(port), hostname, () => {
          socket.write(upgrade(i % 2 ? '/ws' : '/servers/some-id/ws', basic));
          setImmediate(() => socket.resetAndDestroy());
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(gw.child.exitCode).toBeNull();
    await request(gw.url).get('/health').expect(200);
  });
});
