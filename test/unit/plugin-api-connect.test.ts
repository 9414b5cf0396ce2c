/**
 * The ready-to-copy connection settings of the About control (plugin/api/connect.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionMethods, shareUrl } from '../../plugin/api/connect.js';

const byId = (url: string, user: string) => Object.fromEntries(connectionMethods(url, user).map((m) => [m.id, m]));
const values = (method: { fields: readonly { label: string; value: string }[] }) =>
  Object.fromEntries(method.fields.map((f) => [f.label, f.value]));

describe('connection methods of a share', () => {
  it('builds the share URL from an origin or a base URL with a path', () => {
    assert.equal(shareUrl('http://192.168.1.5:8080', 'main'), 'http://192.168.1.5:8080/webdav/main/');
    assert.equal(shareUrl('https://example.org/photos/', 'a.b-c_d'), 'https://example.org/photos/webdav/a.b-c_d/');
  });

  it('over plain HTTP on a home address: net use, dav://, port 8080, no SSL, and the BasicAuthLevel hint', () => {
    const m = byId('http://192.168.1.5:8080/webdav/main/', 'anna');
    assert.equal(values(m['url']!)['URL'], 'http://192.168.1.5:8080/webdav/main/');
    assert.equal(values(m['windows']!)['Command'], 'net use * http://192.168.1.5:8080/webdav/main/ /user:anna *');
    assert.match(m['windows']!.steps, /BasicAuthLevel/);
    assert.equal(values(m['macos']!)['Server address'], 'http://192.168.1.5:8080/webdav/main/');
    assert.equal(values(m['linux']!)['Files / Nautilus'], 'dav://192.168.1.5:8080/webdav/main/');
    assert.equal(values(m['linux']!)['Dolphin'], 'webdav://192.168.1.5:8080/webdav/main/');
    assert.deepEqual(values(m['totalcommander']!), {
      Server: '192.168.1.5:8080',
      Path: '/webdav/main/',
      'User name': 'anna',
      'SSL (HTTPS)': 'No',
    });
    const android = values(m['android']!);
    assert.equal(android['Host'], '192.168.1.5');
    assert.equal(android['Port'], '8080');
    assert.equal(android['HTTPS'], 'No');
  });

  it('over HTTPS on the default port: davs://, port 443, SSL ticked, no registry hint', () => {
    const m = byId('https://photos.example.org/webdav/main/', 'anna');
    assert.equal(values(m['linux']!)['Files / Nautilus'], 'davs://photos.example.org/webdav/main/');
    assert.equal(values(m['totalcommander']!)['Server'], 'photos.example.org');
    assert.equal(values(m['totalcommander']!)['SSL (HTTPS)'], 'Yes');
    assert.equal(values(m['android']!)['Port'], '443');
    assert.doesNotMatch(m['windows']!.steps, /BasicAuthLevel/);
  });

  it('quotes user names with spaces or quotes for the command line, and keeps IPv6 brackets', () => {
    const m = byId('http://[::1]:8080/webdav/main/', "Anna O'Neil");
    assert.equal(values(m['windows']!)['Command'], `net use * http://[::1]:8080/webdav/main/ /user:"Anna O'Neil" *`);
    assert.equal(values(m['totalcommander']!)['Server'], '[::1]:8080');
    assert.equal(values(m['android']!)['Host'], '[::1]');
    assert.equal(
      values(m['linux']!)['davfs2'],
      `sudo mount -t davfs 'http://[::1]:8080/webdav/main/' /mnt/webdav`,
      'brackets are quoted for the shell',
    );
  });

  it('marks values nobody pastes (tick boxes) as not to be copied', () => {
    for (const method of connectionMethods('https://h/webdav/m/', 'u')) {
      for (const field of method.fields)
        assert.equal(field.copy, !['Yes', 'No'].includes(field.value), `${method.id} ${field.label}`);
    }
  });
});
