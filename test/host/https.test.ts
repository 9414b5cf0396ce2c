import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_PLUGIN, startHost, type HostProcess } from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';
import { tlsLogin, tlsRequest } from '../helpers/tls-client.js';
import { writeSelfSigned } from '../helpers/openssl.js';

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
    await writeSelfSigned({
      subject: '/CN=localhost',
      names: 'DNS:localhost,IP:127.0.0.1',
      days: 1,
      keyFile: path.join(certDir, 'key.pem'),
      certFile: path.join(certDir, 'cert.pem'),
    });
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

describe('HTTPS with server.ssl=true alone: a self-signed certificate', () => {
  const ALICE = { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] };
  let dataDir: string;
  let first: HostProcess | undefined;
  let second: HostProcess | undefined;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mediahost-selfsigned-'));
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves HTTPS at once, keeps the certificate across restarts and shows its fingerprint in the About API', async () => {
    first = await startHost({ dataDir, users: [ALICE], settings: { 'server.ssl': 'true', 'server.hsts': 'true' } });
    assert.equal(first.url, `https://127.0.0.1:${first.port}`);
    const pem = await readFile(path.join(dataDir, 'tls', 'self-signed.crt'));
    const cert = new X509Certificate(pem);
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal((await stat(path.join(dataDir, 'tls'))).mode & 0o777, 0o700);
    for (const file of ['self-signed.key', 'self-signed.crt'])
      assert.equal((await stat(path.join(dataDir, 'tls', file))).mode & 0o777, 0o600, file);

    // A client that trusts this one certificate, checking the name it connects by.
    const base = { port: first.port, servername: 'localhost', ca: pem };
    const propfind = await tlsRequest({
      ...base,
      method: 'PROPFIND',
      path: '/webdav/main/',
      headers: { authorization: basic(ALICE.name, ALICE.password), depth: '1' },
    });
    assert.equal(propfind.status, 207, propfind.body);
    assert.equal(propfind.fingerprint256, cert.fingerprint256);

    const cookie = await tlsLogin(base, ALICE.name, ALICE.password);
    const about = await tlsRequest({ ...base, path: '/api/plugins/webdav/about', headers: { cookie } });
    assert.equal(about.status, 200, about.body);
    const tls = (JSON.parse(about.body) as { tls: Record<string, unknown> }).tls;
    assert.equal(tls['selfSigned'], true);
    assert.equal(tls['fingerprint256'], cert.fingerprint256);
    assert.ok((tls['domains'] as string[]).includes('localhost'));
    assert.equal(tls['validTo'], new Date(cert.validTo).toISOString());

    await first.stop();
    first = undefined;
    second = await startHost({ dataDir, seed: false });
    const again = await tlsRequest({ port: second.port, servername: 'localhost', ca: pem, path: '/login' });
    assert.equal(again.status, 200);
    assert.equal(again.fingerprint256, cert.fingerprint256, 'the same certificate after a restart');
    assert.ok(
      !second.logRecords().some((r) => /made a self-signed certificate/.test(String(r['msg']))),
      'not made anew',
    );
  });

  it('sends Strict-Transport-Security with server.hsts=true on HTTPS answers', async () => {
    const h = second!;
    const pem = await readFile(path.join(dataDir, 'tls', 'self-signed.crt'));
    const res = await tlsRequest({ port: h.port, servername: 'localhost', ca: pem, path: '/login' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  });
});

describe('server.hsts=true over plain HTTP', () => {
  let plain: HostProcess | undefined;
  after(async () => {
    await plain?.stop();
  });

  it('sends no Strict-Transport-Security: browsers ignore it there, and it would promise what is not served', async () => {
    plain = await startHost({ plugins: [FIXTURE_PLUGIN], settings: { 'server.hsts': 'true' } });
    const res = await fetch(`${plain.url}/login`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<form method="post" action="\/login">/);
    assert.equal(res.headers.get('strict-transport-security'), null);
  });
});
