/**
 * What the host tells about a PEM certificate (host-api TlsInfo), and when
 * an issued certificate is due for renewal.
 */
import { X509Certificate } from 'node:crypto';
import type { TlsInfo } from '../plugin/host-api.js';

/** A served certificate: what plugins and the admin panel see, plus what renewal needs. */
export interface CertificateFacts extends TlsInfo {
  /** Upper-case hex, as openssl prints it. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The first certificate of a PEM chain (the leaf). */
export function leafOf(pem: string | Buffer): X509Certificate {
  const text = pem.toString();
  const end = text.indexOf('-----END CERTIFICATE-----');
  if (end < 0) throw new Error('no certificate in the PEM text');
  return new X509Certificate(text.slice(0, end + '-----END CERTIFICATE-----'.length));
}

/** "DNS:a, IP Address:127.0.0.1" → ["a", "127.0.0.1"]. */
function altNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** The distinguished name on one line, as people read it: "CN=Pebble Intermediate CA 1c2e0b, O=…". */
const oneLine = (dn: string): string => dn.split('\n').filter(Boolean).join(', ');

export function describeCertificate(pem: string | Buffer): CertificateFacts {
  const cert = leafOf(pem);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    // Issued by itself, and its signature checks with its own key.
    selfSigned: cert.issuer === cert.subject && cert.verify(cert.publicKey),
    fingerprint256: cert.fingerprint256,
    issuer: oneLine(cert.issuer),
    subject: oneLine(cert.subject),
    domains: altNames(cert),
    validFrom: notBefore.toISOString(),
    validTo: notAfter.toISOString(),
    serial: cert.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
  };
}

const DAY_MS = 24 * 3600_000;

/**
 * When to renew: 30 days before expiry, as Let's Encrypt advises for its
 * 90-day certificates, but never later than two thirds into the lifetime, so
 * that short-lived certificates (six days, or a test CA's minute) are renewed
 * while a third of their life is left for retries.
 */
export function renewalTime(notBefore: Date, notAfter: Date): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const margin = Math.min(30 * DAY_MS, lifetime / 3);
  return new Date(notAfter.getTime() - margin);
}

/** True when every name asked for is in the certificate (case-insensitively; DNS names are). */
export function covers(facts: CertificateFacts, domains: readonly string[]): boolean {
  const have = new Set(facts.domains.map((d) => d.toLowerCase()));
  return domains.every((d) => have.has(d.toLowerCase()));
}
