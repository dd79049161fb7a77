import { X509Certificate } from 'node:crypto';

/** What the peer page shows about a CA bundle: each certificate's subject, issuer and validity. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  validTo: string;
  expired: boolean;
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Summarises the certificates of a PEM bundle; one that does not parse is reported as such. */
export function summarizeCertificates(pem: string | null, now = new Date()): CertificateSummary[] {
  if (!pem) return [];
  return (pem.match(PEM) ?? []).map((block) => {
    try {
      const cert = new X509Certificate(block);
      const validTo = new Date(cert.validTo);
      return { subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), validTo: validTo.toISOString().slice(0, 10), expired: validTo < now };
    } catch (err) {
      return { subject: `unreadable certificate (${(err as Error).message})`, issuer: '', validTo: '', expired: false };
    }
  });
}
