/**
 * A self-signed EC CA certificate valid until 2126 (openssl req -x509 -newkey ec ... -days 36500), subject and issuer
 * `CN=Test Peer CA, O=MCP Gateway tests`. For tests that need a fixed, parseable PEM; tests that need a working PKI
 * create one with `createTestPki` (test/support/tls.ts).
 */
export const TEST_CA_PEM = `-----BEGIN CERTIFICATE-----
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
