/** DNS-SD service type of MCP servers and gateways. */
export const MCP_SERVICE = '_mcp._tcp.local';

/** A record as multicast-dns decodes it (the fields discovery reads). */
export interface DnsRecord {
  name: string;
  type: string;
  data: unknown;
}

export interface DnsPacket {
  answers?: DnsRecord[];
  additionals?: DnsRecord[];
}

/** A peer found on the network. */
export interface DiscoveredPeer {
  /** The DNS-SD instance name, e.g. "Time Server" of "Time Server._mcp._tcp.local". */
  name: string;
  url: string;
  transport: 'SSE' | 'STREAMABLEHTTP';
}

function txt(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of Array.isArray(data) ? data : [data]) {
    const s = Buffer.isBuffer(item) ? item.toString('utf8') : String(item ?? '');
    const eq = s.indexOf('=');
    if (eq > 0) out[s.slice(0, eq).toLowerCase()] = s.slice(eq + 1);
  }
  return out;
}

/**
 * Reads MCP peers out of an mDNS response: PTR `_mcp._tcp.local` → instance; its SRV gives target and port, its TXT
 * `path` (default /mcp), `transport` (`sse` or `streamablehttp`) and `scheme` (default http); the target's A record
 * gives the address (else the target name is used as is). Instances without an SRV record are skipped.
 */
export function parseDnsSd(packet: DnsPacket): DiscoveredPeer[] {
  const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
  const find = (name: string, type: string) => records.find((r) => r.type === type && r.name.toLowerCase() === name.toLowerCase());
  const peers: DiscoveredPeer[] = [];
  for (const ptr of records.filter((r) => r.type === 'PTR' && r.name.toLowerCase() === MCP_SERVICE)) {
    const instance = String(ptr.data);
    const srv = find(instance, 'SRV')?.data as { port?: number; target?: string } | undefined;
    if (!srv?.port || !srv.target) continue;
    const meta = txt(find(instance, 'TXT')?.data);
    const host = (find(srv.target, 'A')?.data as string | undefined) ?? srv.target;
    const path = meta.path ? (meta.path.startsWith('/') ? meta.path : `/${meta.path}`) : '/mcp';
    const scheme = meta.scheme === 'https' ? 'https' : 'http';
    const transport = /^sse$/i.test(meta.transport ?? '') || /\/sse\/?$/.test(path) ? 'SSE' : 'STREAMABLEHTTP';
    const name = instance.toLowerCase().endsWith(`.${MCP_SERVICE}`) ? instance.slice(0, -(MCP_SERVICE.length + 1)) : instance;
    peers.push({ name, url: `${scheme}://${host}:${srv.port}${path}`, transport });
  }
  return peers;
}
