/**
 * One HTTPS request on a fresh connection, trusting only the given roots and
 * checking the certificate against `servername` (connecting to 127.0.0.1
 * whatever the name), with what the handshake showed: the served
 * certificate's serial and SHA-256 fingerprint.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface TlsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Of the certificate the server presented (upper-case hex, as openssl prints it). */
  readonly serial: string;
  readonly fingerprint256: string;
}

export interface TlsRequest {
  readonly port: number;
  readonly servername: string;
  /** PEM roots to trust; undefined with `insecure` only. */
  readonly ca?: string | Buffer;
  /** Skip verification: to look at a certificate no longer valid (expired), never to pass a test. */
  readonly insecure?: boolean;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export function tlsRequest(r: TlsRequest): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: r.port,
        servername: r.servername,
        ...(r.ca ? { ca: r.ca } : {}),
        rejectUnauthorized: r.insecure !== true,
        method: r.method ?? 'GET',
        path: r.path ?? '/',
        headers: r.headers ?? {},
        agent: false,
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body,
            serial: cert.serialNumber.toUpperCase(),
            fingerprint256: cert.fingerprint256,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Logs in to the host's web UI over HTTPS; the session cookie to send. */
export async function tlsLogin(
  base: Omit<TlsRequest, 'method' | 'path' | 'body' | 'headers'>,
  name: string,
  password: string,
): Promise<string> {
  const res = await tlsRequest({
    ...base,
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`login as ${name}: ${res.status} ${res.body}`);
  const cookie = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('mediahost_session='));
  if (!cookie) throw new Error('login: no session cookie');
  return cookie.split(';')[0]!;
}
