import { blockedAddress, blockedHostname, canonicalIp, invalidNetworks, type SsrfPolicy, urlHost } from './ssrf-policy';

const strict: SsrfPolicy = { enabled: true, allowLocalhost: false, allowPrivate: false, allowedNetworks: [] };

describe('SSRF address policy (pure: no connection is opened)', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['0:0:0:0:0:ffff:7f00:0001', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['::ffff:192.168.1.1', /private/],
    ['fd12:3456::1', /private/],
    ['fc00::1', /private/],
    ['169.254.169.254', /metadata/],
    ['::ffff:169.254.169.254', /metadata/],
    ['fd00:ec2::254', /metadata/],
    ['169.254.10.10', /link-local/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['100.64.0.1', /reserved|link-local/],
    ['224.0.0.251', /multicast/],
    ['ff02::fb', /multicast/],
    ['255.255.255.255', /reserved/],
    // IPv6 forms that embed an IPv4 address are judged by that address
    ['::7f00:1', /127\.0\.0\.1 is a loopback/], // IPv4-compatible
    ['::127.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['::a00:1', /10\.0\.0\.1 is a private/],
    ['::ffff:0:7f00:1', /127\.0\.0\.1 is a loopback/], // IPv4-translated
    ['::ffff:0:10.1.2.3', /10\.1\.2\.3 is a private/],
    ['2002:7f00:1::1', /127\.0\.0\.1 is a loopback/], // 6to4
    ['2002:a9fe:a9fe::', /169\.254\.169\.254 is a cloud metadata/],
    ['2002:c0a8:101:0:0:0:0:1', /192\.168\.1\.1 is a private/],
    ['64:ff9b::7f00:1', /127\.0\.0\.1 is a loopback/], // NAT64
    ['64:ff9b::10.0.0.1', /10\.0\.0\.1 is a private/],
    ['64:ff9b::a9fe:a9fe', /metadata/],
    ['64:ff9b:1::a00:1', /reserved/], // local-use NAT64
    ['fec0::1', /private/], // site-local
    ['feff:ffff::1', /private/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /reserved/], // Teredo
    ['fe80::1%eth0', /link-local/],
    ['[::1]', /loopback/],
  ])('blocks %s', (ip, reason) => {
    expect(blockedAddress(ip, strict)).toMatch(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1', '192.169.0.1', '11.0.0.1', '64:ff9b::5db8:d822', '2002:5db8:d822::1', '2001:4860:4860::8888'])('allows public address %s', (ip) => {
    expect(blockedAddress(ip, strict)).toBeNull();
  });

  it('allows loopback and private ranges only when configured, and the allowlist, but never metadata', () => {
    expect(blockedAddress('127.0.0.1', { ...strict, allowLocalhost: true })).toBeNull();
    expect(blockedAddress('::1', { ...strict, allowLocalhost: true })).toBeNull();
    expect(blockedAddress('10.1.2.3', { ...strict, allowLocalhost: true })).toMatch(/private/);
    expect(blockedAddress('10.1.2.3', { ...strict, allowPrivate: true })).toBeNull();
    expect(blockedAddress('10.20.3.4', { ...strict, allowedNetworks: ['10.20.0.0/16'] })).toBeNull();
    expect(blockedAddress('10.21.3.4', { ...strict, allowedNetworks: ['10.20.0.0/16'] })).toMatch(/private/);
    expect(blockedAddress('169.254.169.254', { enabled: false, allowLocalhost: true, allowPrivate: true, allowedNetworks: ['169.254.0.0/16'] })).toMatch(/metadata/);
    expect(blockedAddress('10.0.0.1', { ...strict, enabled: false })).toBeNull();
  });

  it('normalises decimal, hex, octal and short IPv4 spellings in URLs before the check', () => {
    for (const url of ['http://2130706433/', 'http://0x7f000001/', 'http://0x7f.0.0.1/', 'http://017700000001/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/']) {
      expect(blockedAddress(urlHost(url), strict)).toMatch(/loopback/);
    }
    expect(blockedAddress(urlHost('http://0xa9fea9fe/latest/meta-data'), strict)).toMatch(/metadata/);
    expect(canonicalIp('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalIp('0:0:0:0:0:0:7f00:1')).toBe('127.0.0.1');
    expect(canonicalIp('64:FF9B::808:808')).toBe('8.8.8.8');
    expect(canonicalIp('::1')).toBe('::1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('2606:4700::1111')).toBe('2606:4700::1111');
  });

  it('refuses metadata host names before any lookup, and validates allowlist CIDRs', () => {
    expect(blockedHostname('metadata.google.internal')).toMatch(/metadata/);
    expect(blockedHostname('Metadata.Google.Internal.')).toMatch(/metadata/);
    expect(blockedHostname('example.com')).toBeNull();
    expect(invalidNetworks(['10.0.0.0/8', 'fd00::/8', 'nonsense', '300.1.1.1/8', '10.0.0.0/x'])).toEqual(['nonsense', '300.1.1.1/8', '10.0.0.0/x']);
    expect(blockedAddress('not-an-ip', strict)).toMatch(/not an IP/);
  });
});
