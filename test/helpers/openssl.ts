/**
 * Certificates made on the spot with the openssl command, for the TLS tests:
 * a self-signed certificate and its key, written as PEM files.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface SelfSigned {
  /** `-subj`, e.g. `/CN=localhost`. */
  readonly subject: string;
  /** `subjectAltName`, e.g. `DNS:localhost,IP:127.0.0.1`. */
  readonly names: string;
  readonly days: number;
  readonly keyFile: string;
  readonly certFile: string;
}

/** Writes an RSA 2048 self-signed certificate and its unencrypted key. */
export async function writeSelfSigned(cert: SelfSigned): Promise<void> {
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    cert.subject,
    '-days',
    String(cert.days),
    '-addext',
    `subjectAltName=${cert.names}`,
    '-keyout',
    cert.keyFile,
    '-out',
    cert.certFile,
  ]);
}
