import { summarizeCertificates } from './certificates';

/** A self-signed EC certificate valid until 2126 (openssl req -x509 -newkey ec ... -days 36500). */
const PEM = `-----BEGIN CERTIFICATE-----
MIIBvTCCAWOgAwIBAgIUC8SQMl4d7XX636rAO0rWV3sm2RYwCgYIKoZIzj0EAwIw
MzEVMBMGA1UEAwwMVGVzdCBQZWVyIENBMRowGAYDVQQKDBFNQ1AgR2F0ZXdheSB0
ZXN0czAgFw0yNjEyMDIxNDA5MDdaGA8yMTI2MTEwODE0MDkwN1owMzEVMBMGA1UE
AwwMVGVzdCBQZWVyIENBMRowGAYDVQQKDBFNQ1AgR2F0ZXdheSB0ZXN0czBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABI/k73dXq9sRfT2wDDbnbHNiAkaC4wsf9vuG
asryGxw3ZMc18BlBtMbKU+9GfswfPTTwwkeONwa8B0QfYgC9SH6jUzBRMB0GA1Ud
DgQWBBQLInfCNA6fdoO4E9ILmeryuQd1yjAfBgNVHSMEGDAWgBQLInfCNA6fdoO4
E9ILmeryuQd1yjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIFGZ
dqdYnxBvagdmfc4JqPgQEMGPYICOwmITw1LzWNxjAiEAjVwGsAwu7JiSB3Hbs2sE
x9kfZVw1wwzS5ybXyy3aVlU=
-----END CERTIFICATE-----`;

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
