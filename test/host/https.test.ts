import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_PLUGIN, startHost, type HostProcess } from '../helpers/host-process.js';

let certDir: string;
let ca: Buffer;
let host: HostProcess;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request that trusts only our self-signed certificate (and checks it, name included). */
function request(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: host.port, method, path: p, ca, servername: 'localhost', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS', () => {
  before(async () => {
    certDir = await mkdtemp(path.join(os.tmpdir(), 'mediahost-cert-'));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      path.join(certDir, 'key.pem'),
      '-out',
      path.join(certDir, 'cert.pem'),
    ]);
    ca = await readFile(path.join(certDir, 'cert.pem'));
    host = await startHost({
      plugins: [FIXTURE_PLUGIN],
      settings: {
        'server.ssl': 'true',
        'server.ssl.cert': path.join(certDir, 'cert.pem'),
        'server.ssl.key': path.join(certDir, 'key.pem'),
      },
    });
  });
  after(async () => {
    await host?.stop();
    await rm(certDir, { recursive: true, force: true });
  });

  it('listens with TLS and says so in the listening line', async () => {
    assert.equal(host.url, `https://127.0.0.1:${host.port}`);
    const res = await request('GET', '/login');
    assert.equal(res.status, 200);
    assert.match(res.body, /<form method="post" action="\/login">/);
  });

  it('tells plugins the https origin', async () => {
    const res = await request('GET', '/fixture/request');
    assert.equal((JSON.parse(res.body) as { publicOrigin: string }).publicOrigin, `https://127.0.0.1:${host.port}`);
  });

  it('marks the session cookie Secure', async () => {
    const res = await request(
      'POST',
      '/login',
      new URLSearchParams({ name: 'admin', password: host.adminPassword! }).toString(),
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    assert.equal(res.status, 303);
    const cookie = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('mediahost_session='))!;
    assert.match(cookie, /; secure/i);
    assert.match(cookie, /; httponly/i);
  });

  it('refuses to start without a readable key, naming the setting', async () => {
    await assert.rejects(
      startHost({
        plugins: [],
        settings: {
          'server.ssl': 'true',
          'server.ssl.cert': path.join(certDir, 'cert.pem'),
          'server.ssl.key': path.join(certDir, 'missing.pem'),
        },
        timeoutMs: 15_000,
      }),
      /server\.ssl\.key: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });
});
