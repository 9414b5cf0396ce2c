/**
 * host/ready-banner.ts: the addresses a start prints, for the listening
 * addresses and interfaces the real tests cannot use (they listen on
 * 127.0.0.1 only).
 */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { origins, readyBanner, type ReadyFacts } from '../../host/ready-banner.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null }) as NetworkInterfaceInfo;

const INTERFACES = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6')],
  wlan0: [nic('10.0.0.7', 'IPv4')],
};

const facts = (over: Partial<ReadyFacts> = {}): ReadyFacts => ({
  scheme: 'http',
  listenHost: '0.0.0.0',
  port: 8080,
  interfaces: INTERFACES,
  webdavServed: true,
  mounts: ['main'],
  firstRun: false,
  ...over,
});

describe('ready banner', () => {
  it('lists this machine and its other IPv4 addresses when listening on every interface', () => {
    for (const listenHost of ['0.0.0.0', '::']) {
      assert.deepEqual(origins(facts({ listenHost })), [
        'http://127.0.0.1:8080',
        'http://192.168.1.20:8080',
        'http://10.0.0.7:8080',
      ]);
    }
  });

  it('lists only the address it listens on otherwise, IPv6 in brackets', () => {
    assert.deepEqual(origins(facts({ listenHost: '127.0.0.1' })), ['http://127.0.0.1:8080']);
    assert.deepEqual(origins(facts({ listenHost: '::1', scheme: 'https', port: 443 })), ['https://[::1]:443']);
    assert.deepEqual(origins(facts({ listenHost: 'photos.local' })), ['http://photos.local:8080']);
  });

  it('gives the first share at every address, and counts the others', () => {
    const banner = readyBanner(facts({ mounts: ['family photos', 'scans', 'old'], firstRun: true }));
    assert.equal(
      banner,
      `${'-'.repeat(72)}
  mediahost is ready. Open it in a browser:
      http://127.0.0.1:8080/
      http://192.168.1.20:8080/
      http://10.0.0.7:8080/
  WebDAV share "family photos", to map as a network drive:
      http://127.0.0.1:8080/webdav/family%20photos/
      http://192.168.1.20:8080/webdav/family%20photos/
      http://10.0.0.7:8080/webdav/family%20photos/
  2 more shares: see About in the browser.
  First start: log in as admin with the password shown above.
${'-'.repeat(72)}
`,
    );
  });

  it('says why there is no share address', () => {
    assert.match(readyBanner(facts({ webdavServed: false })), /WebDAV: not served now/);
    assert.doesNotMatch(readyBanner(facts({ webdavServed: false })), /\/webdav\//);
    assert.match(readyBanner(facts({ mounts: [] })), /WebDAV: no share is configured yet/);
    assert.doesNotMatch(readyBanner(facts()), /First start/);
  });
});
