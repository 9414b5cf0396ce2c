/**
 * The nginx site of docs/deploy.md, which test/scale/ runs as it is: it has
 * what WebDAV behind a proxy needs, and the helper changes only the ports
 * and the log paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentedSite, documentedTlsListen, siteForTest } from '../helpers/nginx.js';

/** The directives of the block, `name value` with comments and blank lines dropped. */
function directives(block: string): string[] {
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.endsWith(';'))
    .map((line) => line.slice(0, -1).replace(/\s+/g, ' '));
}

describe('the nginx site of docs/deploy.md', () => {
  it('balances two or more instances round robin and passes what WebDAV needs', async () => {
    const site = await documentedSite();
    const all = directives(site);
    assert.ok(all.filter((d) => d.startsWith('server 127.0.0.1:')).length >= 2, site);
    // Round robin is nginx's default: no other balancing method in the upstream.
    assert.deepEqual(
      all.filter((d) => /^(ip_hash|hash|least_conn|random)\b/.test(d)),
      [],
    );
    for (const needed of [
      'client_max_body_size 0',
      'proxy_request_buffering off',
      'proxy_buffering off',
      'proxy_pass http://mediahost',
      'proxy_http_version 1.1',
      'proxy_set_header Host $http_host',
      'proxy_set_header X-Forwarded-Proto $scheme',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for',
    ])
      assert.ok(all.includes(needed), `missing "${needed};" in\n${site}`);
    for (const timeout of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const value = all.find((d) => d.startsWith(`${timeout} `))?.split(' ')[1];
      assert.ok(value && /^\d+s$/.test(value) && parseInt(value, 10) >= 600, `${timeout} should be long: ${value}`);
    }
    // nginx's own WebDAV module would answer instead of the instances.
    assert.equal(
      all.some((d) => d.startsWith('dav_methods')),
      false,
    );
  });

  it('gets the test ports and log paths, and nothing else changes', async () => {
    const site = await documentedSite();
    const ours = siteForTest(site, { listenPort: 18080, upstreamPorts: [18081, 18082, 18083], logDir: '/tmp/x' });
    const d = directives(ours);
    assert.deepEqual(
      d.filter((line) => line.startsWith('listen ')),
      ['listen 127.0.0.1:18080'],
    );
    assert.deepEqual(
      d.filter((line) => line.startsWith('server 127.0.0.1:')).map((line) => line.split(' ')[1]),
      ['127.0.0.1:18081', '127.0.0.1:18082', '127.0.0.1:18083'],
    );
    assert.ok(d.includes('access_log /tmp/x/access.log') && d.includes('error_log /tmp/x/error.log'), ours);
    const unchanged = (lines: string[]): string[] =>
      lines.filter((line) => !/^(listen |server 127\.0\.0\.1:|access_log |error_log )/.test(line));
    assert.deepEqual(unchanged(d), unchanged(directives(site)));
  });

  it('with TLS, listens as the documented fragment says, on the test port and certificate', async () => {
    const site = await documentedSite();
    const ours = siteForTest(site, {
      listenPort: 18443,
      upstreamPorts: [18081, 18082],
      logDir: '/tmp/x',
      tls: { fragment: await documentedTlsListen(), files: { cert: '/tmp/c.pem', key: '/tmp/k.pem' } },
    });
    const d = directives(ours);
    assert.deepEqual(
      d.filter((line) => line.startsWith('listen ')),
      ['listen 127.0.0.1:18443 ssl'],
    );
    assert.ok(d.includes('ssl_certificate /tmp/c.pem') && d.includes('ssl_certificate_key /tmp/k.pem'), ours);
  });
});
