import { parseDnsSd } from './dns-sd';

describe('parseDnsSd', () => {
  it('builds a peer URL from PTR, SRV, TXT and A records', () => {
    expect(
      parseDnsSd({
        answers: [{ name: '_mcp._tcp.local', type: 'PTR', data: 'Time Server._mcp._tcp.local' }],
        additionals: [
          { name: 'Time Server._mcp._tcp.local', type: 'SRV', data: { port: 8000, target: 'box.local' } },
          { name: 'Time Server._mcp._tcp.local', type: 'TXT', data: [Buffer.from('path=/sse'), Buffer.from('transport=sse')] },
          { name: 'box.local', type: 'A', data: '10.1.2.3' },
        ],
      }),
    ).toEqual([{ name: 'Time Server', url: 'http://10.1.2.3:8000/sse', transport: 'SSE' }]);
  });

  it('defaults to /mcp over Streamable HTTP, uses the target name without an A record, and skips instances without SRV', () => {
    expect(
      parseDnsSd({
        answers: [
          { name: '_mcp._tcp.local', type: 'PTR', data: 'a._mcp._tcp.local' },
          { name: '_mcp._tcp.local', type: 'PTR', data: 'b._mcp._tcp.local' },
          { name: '_http._tcp.local', type: 'PTR', data: 'web._http._tcp.local' },
          { name: 'a._mcp._tcp.local', type: 'SRV', data: { port: 4444, target: 'host-a.local' } },
        ],
      }),
    ).toEqual([{ name: 'a', url: 'http://host-a.local:4444/mcp', transport: 'STREAMABLEHTTP' }]);
  });
});
