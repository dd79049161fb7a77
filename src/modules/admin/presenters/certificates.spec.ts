import { TEST_CA_PEM as PEM } from '../../../../test/factories/certificates';
import { summarizeCertificates } from './certificates';

describe('summarizeCertificates', () => {
  it("lists each certificate of a PEM bundle with its subject and expiry", () => {
    const [one, two] = summarizeCertificates(`${PEM}\n${PEM}\n`, new Date('2030-01-01T00:00:00Z'));
    expect(one).toEqual({ subject: 'CN=Test Peer CA, O=MCP Gateway tests', issuer: 'CN=Test Peer CA, O=MCP Gateway tests', validTo: '2126-11-08', expired: false });
    expect(two).toEqual(one);
    expect(summarizeCertificates(PEM, new Date('2200-01-01T00:00:00Z'))[0].expired).toBe(true);
  });

  it('reports a block that does not parse, and nothing for no bundle', () => {
    expect(summarizeCertificates('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----')[0].subject).toMatch(/^unreadable certificate/);
    expect(summarizeCertificates(null)).toEqual([]);
  });
});
