/**
 * `server.ssl=true` without PEM files: a self-signed certificate, made once
 * and kept in `<data>/tls/`, so that HTTPS works at once on a home network.
 * A client warns about it until the user trusts it, which they should do
 * only after comparing its SHA-256 fingerprint (shown in the About dialog)
 * with the one their client shows.
 *
 * Made with @peculiar/x509, which acme-client uses too (one copy serves
 * both): it signs with Node's own WebCrypto rather than JavaScript RSA.
 */
import { KeyObject, webcrypto } from 'node:crypto';
import { networkInterfaces, hostname } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Logger } from '../plugin/host-api.js';
import { describeCertificate, renewalTime } from './certificate-info.js';
import { readIfPresent, tlsFolder, writePrivateFile } from './private-files.js';

export const SELF_SIGNED_CERT = 'self-signed.crt';
export const SELF_SIGNED_KEY = 'self-signed.key';

/**
 * Apple's clients refuse TLS server certificates valid for more than 825
 * days, even ones the user trusts by hand; a new one is made 30 days before
 * the old one expires (which the user then trusts anew).
 */
const VALID_DAYS = 825;

export interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The names a client on the home network may use for this machine: localhost, its host name, its LAN addresses. */
export function selfSignedNames(): { dns: string[]; ips: string[] } {
  const name = hostname().toLowerCase();
  const dns = ['localhost'];
  if (/^[a-z0-9.-]+$/.test(name) && name !== 'localhost') {
    dns.push(name);
    // Windows and macOS find a machine on the LAN by multicast DNS as NAME.local.
    if (!name.includes('.')) dns.push(`${name}.local`);
  }
  const ips = ['127.0.0.1'];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && !ips.includes(a.address)) ips.push(a.address);
  return { dns, ips };
}

async function generate(): Promise<KeyPair> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]) };
  // RSA 2048 rather than ECDSA: the oldest WebDAV clients (Windows WebClient, Android file managers) all speak it.
  const keys = (await webcrypto.subtle.generateKey({ ...algorithm, modulusLength: 2048 }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const { dns, ips } = selfSignedNames();
  const notBefore = new Date(Date.now() - 60_000); // a client whose clock is a little behind still accepts it
  const notAfter = new Date(notBefore.getTime() + VALID_DAYS * 24 * 3600_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '7'),
      name: `CN=${dns[1] ?? 'localhost'}, O=mediahost (self-signed)`,
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        // Not a CA: a user who trusts it trusts this one certificate, not whatever its key might sign.
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...dns.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
      ],
    },
    webcrypto as unknown as Crypto,
  );
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' });
  return { cert: Buffer.from(cert.toString('pem') + '\n'), key: Buffer.from(key) };
}

/** The kept certificate and key, made now when there is none or the one there is due for renewal. */
export async function selfSignedCertificate(dataDir: string, log: Logger, now = new Date()): Promise<KeyPair> {
  const dir = await tlsFolder(dataDir);
  const certFile = path.join(dir, SELF_SIGNED_CERT);
  const keyFile = path.join(dir, SELF_SIGNED_KEY);
  const [cert, key] = await Promise.all([readIfPresent(certFile), readIfPresent(keyFile)]);
  if (cert && key) {
    try {
      const facts = describeCertificate(cert);
      if (renewalTime(facts.notBefore, facts.notAfter) > now) return { cert, key };
      log.warn({ validTo: facts.validTo }, 'the self-signed certificate expires soon; making a new one');
    } catch (err) {
      log.warn(
        { file: certFile, error: (err as Error).message },
        'cannot read the self-signed certificate; making a new one',
      );
    }
  }
  const made = await generate();
  // The key first: a certificate without its key would be of no use.
  await writePrivateFile(keyFile, made.key);
  await writePrivateFile(certFile, made.cert);
  const facts = describeCertificate(made.cert);
  log.info(
    { fingerprint256: facts.fingerprint256, domains: facts.domains, validTo: facts.validTo, file: certFile },
    'made a self-signed certificate; compare its SHA-256 fingerprint before trusting it',
  );
  return made;
}
