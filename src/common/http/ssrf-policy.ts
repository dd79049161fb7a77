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
  '64:ff9b::/96',
  '100::/64',
]);
const LOOPBACK = list(['127.0.0.0/8', '::1/128']);
const PRIVATE = list(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15', 'fc00::/7']);

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

/**
 * Canonical form of an address: IPv4-mapped IPv6 (`::ffff:7f00:1`, `::ffff:127.0.0.1`) becomes the IPv4 address,
 * so a mapped spelling cannot slip past the IPv4 rules.
 */
export function canonicalIp(ip: string): string {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/.exec(v) ?? /^::ffff:(.+)$/.exec(v);
  if (mapped) {
    const rest = mapped[1];
    if (isIP(rest) === 4) return rest;
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
    if (hex) {
      const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
      return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    }
  }
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
