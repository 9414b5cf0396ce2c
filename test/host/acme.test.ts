/**
 * server.acme=true against a real ACME server: Debian's pebble on loopback
 * (test/helpers/pebble.ts), its DNS answering 127.0.0.1 for the test domain,
 * issuing certificates valid for 30 seconds so that renewal (two thirds into
 * the lifetime, host/certificate-info.ts) comes within the test. The three
 * tests run in order on one host: the first certificate, its renewal under an
 * open upload, a renewal that fails because the CA is gone.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { eventually, login, startHost, type HostProcess } from '../helpers/host-process.js';
import { freePort } from '../helpers/nginx.js';
import { installPebble, requirePebble, startPebble, type Pebble } from '../helpers/pebble.js';
import { basic } from '../helpers/raw-http.js';
import { tlsLogin, tlsRequest } from '../helpers/tls-client.js';

const DOMAIN = 'photos.mediahost.test';
const ALICE = { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] };
const FAILURE = /^Could not get a certificate: /;

let pebble: Pebble | undefined;
let host: HostProcess | undefined;
let challengePort: number;
let root: string;
let firstSerial: string;

const asAlice = { authorization: basic(ALICE.name, ALICE.password) };

describe('ACME certificates from a real ACME server (pebble)', () => {
  before(async () => {
    if (!installPebble()) return;
    challengePort = await freePort();
    pebble = await startPebble({ httpPort: challengePort, validitySeconds: 30 });
    host = await startHost({
      users: [ALICE],
      settings: {
        'server.acme': 'true',
        'server.acme.domains': DOMAIN,
        'server.acme.email': 'admin@mediahost.test',
        'server.acme.directory': pebble.directory,
        'server.acme.cacert': pebble.listenerCaFile,
        'server.acme.httpport': String(challengePort),
      },
    });
    root = await pebble.issuingRoot();
  });
  after(async () => {
    await host?.stop();
    await pebble?.stop();
  });

  it('gets a first certificate at start and serves WebDAV with it to a client that trusts the CA', async (t) => {
    if (!requirePebble(t)) return;
    const h = host!;
    assert.equal(h.url, `https://127.0.0.1:${h.port}`, 'the host starts with HTTPS, not plain HTTP');
    const res = await tlsRequest({
      port: h.port,
      servername: DOMAIN,
      ca: root,
      method: 'PROPFIND',
      path: '/webdav/main/',
      headers: { ...asAlice, depth: '1' },
    });
    assert.equal(res.status, 207, res.body);
    assert.match(res.body, /<[^>]*multistatus/);
    firstSerial = res.serial;

    const tls = path.join(h.dataDir, 'tls');
    assert.equal((await stat(tls)).mode & 0o777, 0o700);
    for (const file of ['acme-account.key', 'acme.key', 'acme.crt'])
      assert.equal((await stat(path.join(tls, file))).mode & 0o777, 0o600, file);

    const issued = h.logRecords().find((r) => r['msg'] === `got a certificate for ${DOMAIN}`);
    assert.equal(issued?.['serial'], firstSerial, 'the certificate served is the one logged');
  });

  it('redirects everything but challenges on the challenge port to HTTPS, under a configured name', async (t) => {
    if (!requirePebble(t)) return;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port: challengePort, path: '/webdav/main/?x=1', headers: { host: DOMAIN } }, resolve)
        .on('error', reject),
    );
    res.resume();
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, `https://${DOMAIN}:${host!.port}/webdav/main/?x=1`);
    const stranger = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port: challengePort, path: '/', headers: { host: 'evil.example' } }, resolve)
        .on('error', reject),
    );
    stranger.resume();
    assert.equal(stranger.statusCode, 301);
    assert.equal(stranger.headers.location, `https://${DOMAIN}:${host!.port}/`, 'never a name a stranger sent');
    const propfind = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .request(
          {
            host: '127.0.0.1',
            port: challengePort,
            method: 'PROPFIND',
            path: '/webdav/main/',
            headers: { host: DOMAIN },
          },
          resolve,
        )
        .on('error', reject)
        .end(),
    );
    propfind.resume();
    assert.equal(propfind.statusCode, 308, 'a method other than GET keeps its method and body');
    assert.equal(propfind.headers.location, `https://${DOMAIN}:${host!.port}/webdav/main/`);
  });

  it('renews the short-lived certificate in place without dropping an upload in progress', async (t) => {
    if (!requirePebble(t)) return;
    const h = host!;
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let sent = 0;
    let uploadSerial = '';
    // A PUT whose body keeps coming until the renewed certificate is served (chunked: its length is not known yet).
    const upload = https.request({
      host: '127.0.0.1',
      port: h.port,
      servername: DOMAIN,
      ca: root,
      agent: false,
      method: 'PUT',
      path: '/webdav/main/slow-upload.bin',
      headers: asAlice,
    });
    const answer = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      upload.on('error', reject);
    });
    upload.on('socket', (socket) =>
      socket.once('secureConnect', () => (uploadSerial = (socket as TLSSocket).getPeerCertificate().serialNumber)),
    );
    const trickle = setInterval(() => {
      upload.write(chunk);
      sent += chunk.length;
    }, 250);
    try {
      const renewed = await eventually(
        async () => {
          const res = await tlsRequest({ port: h.port, servername: DOMAIN, ca: root, path: '/login' });
          assert.equal(res.status, 200);
          assert.notEqual(res.serial, firstSerial, 'still the first certificate');
          return res;
        },
        60_000,
        500,
      );
      assert.ok(
        h.logRecords().some((r) => r['msg'] === `got a certificate for ${DOMAIN}` && r['serial'] === renewed.serial),
        'the renewal is logged',
      );
      assert.equal(h.logRecords().filter((r) => r['msg'] === 'listening').length, 1, 'no restart');
    } finally {
      clearInterval(trickle);
    }
    upload.end(chunk);
    sent += chunk.length;
    assert.equal(await answer, 201, 'the upload begun under the old certificate completes');
    assert.equal(
      uploadSerial.toUpperCase(),
      firstSerial,
      'the upload ran on a connection made with the old certificate',
    );
    const size = await tlsRequest({
      port: h.port,
      servername: DOMAIN,
      ca: root,
      method: 'HEAD',
      path: '/webdav/main/slow-upload.bin',
      headers: asAlice,
    });
    assert.equal(size.status, 200);
    assert.equal(Number(size.headers['content-length']), sent);
  });

  it('keeps serving the certificate it has when the CA is gone, with one log line and the problem on /admin', async (t) => {
    if (!requirePebble(t)) return;
    const h = host!;
    const before = await tlsRequest({ port: h.port, servername: DOMAIN, ca: root, path: '/login' });
    assert.equal(before.status, 200);
    await pebble!.halt();

    const failure = await h.waitForLog((r) => FAILURE.test(String(r['msg'])), 60_000);
    assert.match(String(failure['msg']), /certificate authority at https:\/\/127\.0\.0\.1:\d+\/dir cannot be reached/);
    assert.match(String(failure['msg']), /current certificate is still served; next attempt in 1 min/);
    const complaints = h.logRecords().filter((r) => r['component'] === 'tls' && Number(r['level']) >= 40);
    assert.deepEqual(
      complaints.map((r) => r['msg']),
      [failure['msg']],
      'one log line for the failure, nothing else',
    );

    // The certificate may have expired meanwhile (it lives 30 s): it is looked at, not verified.
    const after = await tlsRequest({ port: h.port, servername: DOMAIN, insecure: true, path: '/login' });
    assert.equal(after.status, 200);
    assert.equal(after.serial, before.serial, 'the certificate it had is still served');

    const base = { port: h.port, servername: DOMAIN, insecure: true };
    const cookie = await tlsLogin(base, 'admin', h.adminPassword!);
    const admin = await tlsRequest({ ...base, path: '/admin', headers: { cookie } });
    assert.equal(admin.status, 200);
    assert.match(admin.body, /<h2>HTTPS<\/h2>/);
    assert.match(admin.body, /data-tls-problem>Could not get a certificate: the certificate authority at/);
    assert.ok(admin.body.includes(`<th scope="row">Serial</th><td>${before.serial}</td>`), 'and which one it serves');
    assert.ok(admin.body.includes(`<th scope="row">Names</th><td>${DOMAIN}</td>`));
  });
});

describe('ACME on a first start without a reachable CA', () => {
  let plain: HostProcess | undefined;
  after(async () => {
    await plain?.stop();
  });

  it('serves plain HTTP, logs the problem once in plain words and shows it on /admin', async () => {
    const nobody = await freePort();
    plain = await startHost({
      plugins: [],
      settings: {
        'server.acme': 'true',
        'server.acme.domains': DOMAIN,
        'server.acme.directory': `https://127.0.0.1:${nobody}/dir`,
        'server.acme.httpport': String(await freePort()),
      },
    });
    assert.equal(plain.url, `http://127.0.0.1:${plain.port}`);
    const complaints = plain.logRecords().filter((r) => r['component'] === 'tls' && Number(r['level']) >= 40);
    assert.equal(complaints.length, 1, JSON.stringify(complaints));
    assert.equal(
      complaints[0]!['msg'],
      `Could not get a certificate: the certificate authority at https://127.0.0.1:${nobody}/dir cannot be reached (ECONNREFUSED); check server.acme.directory and this server's internet connection. HTTPS waits for it; the server answers over plain HTTP; next attempt in 1 min.`,
    );
    const admin = await login(plain.url, 'admin', plain.adminPassword!);
    const res = await fetch(`${plain.url}/admin`, { headers: { cookie: admin.cookie } });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(
      page,
      /data-tls-problem>Could not get a certificate: the certificate authority at .* cannot be reached/,
    );
    assert.match(page, /Not served: passwords and files travel in clear/);
  });
});
