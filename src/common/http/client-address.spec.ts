import type { IncomingMessage } from 'node:http';
import { clientAddress, compileTrust, parseTrustProxy } from './client-address';

/** A request from `peer` carrying `X-Forwarded-For: forwarded`. */
const from = (peer: string | undefined, forwarded?: string) => ({ socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;

describe('client address (TRUST_PROXY)', () => {
  it('reads TRUST_PROXY as Express reads `trust proxy`', () => {
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy(' TRUE ')).toBe(true);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, loopback,,fd00::/8')).toEqual(['10.0.0.0/8', 'loopback', 'fd00::/8']);
  });

  it('refuses what is not an address, range or name', () => {
    expect(() => compileTrust(['10.0.0.0/8', 'my-ingress'])).toThrow(/invalid IP address: my-ingress/);
    expect(() => compileTrust(['10.0.0.0/99'])).toThrow(/invalid range/);
  });

  it('believes X-Forwarded-For only from trusted proxies, reading it right to left', () => {
    const loopback = compileTrust(['loopback']);
    expect(clientAddress(from('127.0.0.1', '10.1.0.1'), loopback)).toBe('10.1.0.1');
    // A client's own X-Forwarded-For is ignored when it connects directly.
    expect(clientAddress(from('203.0.113.7', '10.1.0.1'), loopback)).toBe('203.0.113.7');
    // Entries a client put before the proxy's are not believed: the nearest untrusted address is the client.
    expect(clientAddress(from('127.0.0.1', '1.2.3.4, 198.51.100.9'), loopback)).toBe('198.51.100.9');
    const pods = compileTrust(['10.244.0.0/16']);
    expect(clientAddress(from('10.244.1.5', '198.51.100.9, 10.244.2.7'), pods)).toBe('198.51.100.9');
    expect(clientAddress(from('127.0.0.1', '198.51.100.9'), pods)).toBe('127.0.0.1');
  });

  it('false trusts nobody, true everybody, a number that many hops', () => {
    const req = from('127.0.0.1', '198.51.100.1, 198.51.100.2, 10.0.0.3');
    expect(clientAddress(req, compileTrust(false))).toBe('127.0.0.1');
    expect(clientAddress(req, compileTrust(true))).toBe('198.51.100.1');
    expect(clientAddress(req, compileTrust(1))).toBe('10.0.0.3');
    expect(clientAddress(req, compileTrust(2))).toBe('198.51.100.2');
  });

  it('has no address for a socket that has none (closed)', () => {
    expect(clientAddress(from(undefined, '10.1.0.1'), compileTrust(true))).toBeUndefined();
  });
});
