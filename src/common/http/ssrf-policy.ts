import { BlockList, isIP } from 'node:net';

export interface SsrfPolicy {
  enabled: boolean;
  allowLocalhost: boolean;
  allowPrivate: boolean;
  /** CIDR networks always allowed (metadata addresses excepted). */
  allowedNetworks: string[];
}

function list(cidrs: string[]): BlockList {
  const bl = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
    bl.addSubnet(net, Number(bits ?? (family === 'ipv6' ? 128 : 32)), family);
  }
  return bl;
}

/** Cloud metadata endpoints: never reachable, whatever the configuration. */
const METADATA = list(['169.254.169.254/32', '169.254.170.2/32', 'fd00:ec2::254/128', '100.100.100.200/32']);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
/** Never a valid destination: unspecified, link-local, shared CGNAT space, multicast, reserved, broadcast. */
const NON_ROUTABLE = list([
  '0.0.0.0/8',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '192.0.0.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  'fe80::/10',
  'ff00::/8',
  '64:ff9b:1::/48', // local-use NAT64 (RFC 8215): the IPv4 part's position depends on the local prefix length
  '2001::/32', // Teredo: the client's IPv4 address is obfuscated in the address
  '100::/64',
]);
const LOOPBACK = list(['127.0.0.0/8', '::1/128']);
const PRIVATE = list(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15', 'fc00::/7', 'fec0::/10' /* site-local (deprecated) */]);

/** Validates CIDR strings; returns the ones that are not. */
export function invalidNetworks(cidrs: string[]): string[] {
  return cidrs.filter((c) => {
    try {
      list([c]);
      const [net, bits] = c.split('/');
      return !isIP(net) || (bits !== undefined && !/^\d+$/.test(bits));
    } catch {
      return true;
    }
  });
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad counts as two), or null if it is not one. */
function ipv6Groups(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');

/**
 * Canonical form of an address: IPv6 forms that carry an IPv4 address become that IPv4 address, so no spelling
 * slips past the IPv4 rules: IPv4-mapped (`::ffff:7f00:1`, `::ffff:127.0.0.1`), IPv4-compatible (`::7f00:1`),
 * IPv4-translated (`::ffff:0:7f00:1`), 6to4 (`2002:7f00:1::1`) and NAT64 (`64:ff9b::7f00:1`). Zone ids are
 * dropped; anything else is returned lower-cased.
 */
export function canonicalIp(ip: string): string {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const g = ipv6Groups(v);
  if (!g) return v;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // IPv4-mapped ::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]);
  // IPv4-compatible ::/96 (deprecated), except :: and ::1 themselves
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  // NAT64 well-known prefix 64:ff9b::/96
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  // 6to4 2002::/16: the IPv4 address is in bits 16-47
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return v;
}

/**
 * Whether an outbound connection may go to this IP address. Returns the reason it may not, or null.
 * A pure function: callers resolve names first (and connect to the address they checked).
 */
export function blockedAddress(ip: string, policy: SsrfPolicy): string | null {
  const addr = canonicalIp(ip);
  const family = isIP(addr);
  if (!family) return `'${ip}' is not an IP address`;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (METADATA.check(addr, type)) return `${addr} is a cloud metadata address`;
  if (!policy.enabled) return null;
  if (policy.allowedNetworks.length && list(policy.allowedNetworks).check(addr, type)) return null;
  if (NON_ROUTABLE.check(addr, type)) return `${addr} is a link-local, multicast, reserved or unspecified address`;
  if (LOOPBACK.check(addr, type)) return policy.allowLocalhost ? null : `${addr} is a loopback address (set SSRF_ALLOW_LOCALHOST=true to allow)`;
  if (PRIVATE.check(addr, type)) return policy.allowPrivate ? null : `${addr} is a private network address (set SSRF_ALLOW_PRIVATE_NETWORKS=true to allow)`;
  return null;
}

/** Names refused before any DNS lookup (cloud metadata services). */
export function blockedHostname(hostname: string): string | null {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_NAMES.has(h) ? `${h} is a cloud metadata host` : null;
}

/**
 * The host of a URL as the WHATWG parser normalises it: decimal (`2130706433`), hex (`0x7f000001`), octal and
 * short (`127.1`) IPv4 spellings all become dotted quads, IPv6 loses its brackets.
 */
export function urlHost(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}
