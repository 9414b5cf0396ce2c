import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { covers, describeCertificate, renewalTime } from '../../host/certificate-info.js';
import { tempFolder } from '../helpers/system.js';
import { requireTool } from '../helpers/tools.js';
import { writeSelfSigned } from '../helpers/openssl.js';

const DAY = 24 * 3600_000;

test('renewalTime: 30 days before expiry for a 90-day certificate, two thirds into a short one', () => {
  const start = new Date('2030-01-01T00:00:00Z');
  const days = (n: number): Date => new Date(start.getTime() + n * DAY);
  assert.deepEqual(renewalTime(start, days(90)), days(60));
  assert.deepEqual(renewalTime(start, days(397)), days(367), 'a long one: still 30 days before');
  assert.deepEqual(renewalTime(start, days(6)), days(4), 'six days: at four');
  const minute = new Date(start.getTime() + 60_000);
  assert.deepEqual(renewalTime(start, minute), new Date(start.getTime() + 40_000), 'a test CA’s minute: at 40 s');
});

test('describeCertificate: the leaf of a chain, its names, dates and fingerprint as clients show them', async (t) => {
  if (!requireTool(t, 'openssl', 'openssl')) return;
  const dir = await tempFolder(t, 'cert-info-');
  const file = path.join(dir, 'cert.pem');
  const make = (subject: string, names: string, certFile: string): Promise<void> =>
    writeSelfSigned({ subject, names, days: 2, keyFile: path.join(dir, 'key.pem'), certFile });
  await make('/CN=photos.example.org/O=Test', 'DNS:photos.example.org,DNS:Fotos.example.org,IP:192.0.2.7', file);
  await make('/CN=Some CA', 'DNS:ca.example.org', path.join(dir, 'ca.pem'));
  const pem = await readFile(file, 'utf8');
  const cert = new X509Certificate(pem);
  // A chain: the leaf comes first and is the one described.
  const facts = describeCertificate(pem + (await readFile(path.join(dir, 'ca.pem'), 'utf8')));
  assert.equal(facts.selfSigned, true);
  assert.equal(facts.fingerprint256, cert.fingerprint256);
  assert.match(facts.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(facts.subject, 'CN=photos.example.org, O=Test');
  assert.equal(facts.issuer, facts.subject);
  assert.deepEqual(facts.domains, ['photos.example.org', 'Fotos.example.org', '192.0.2.7']);
  assert.equal(facts.validTo, new Date(cert.validTo).toISOString());
  assert.equal(facts.serial, cert.serialNumber.toUpperCase());
  assert.ok(covers(facts, ['fotos.example.org', 'PHOTOS.example.org']), 'names compare case-insensitively');
  assert.equal(covers(facts, ['photos.example.org', 'other.example.org']), false);
  assert.throws(() => describeCertificate('not a certificate'), /no certificate/);
});
