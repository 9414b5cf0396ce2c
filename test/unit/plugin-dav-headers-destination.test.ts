import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DavError } from '../../plugin/dav/errors.js';
import { parseAuthority, parseDestination, resolveReference } from '../../plugin/dav/headers/destination.js';

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DavError, `expected DavError, got ${String(error)}`);
    return error.status;
  }
  return 0;
}

const local = { host: 'localhost:8080' };
const path = (...segments: string[]) => segments;

describe('parseDestination', () => {
  it('missing → 400', () => {
    assert.equal(
      status(() => parseDestination(undefined, local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('', local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('   ', local)),
      400,
    );
  });

  it('absolute URI on the request host', () => {
    assert.deepEqual(parseDestination('http://localhost:8080/webdav/main/b.txt', local), {
      segments: path('webdav', 'main', 'b.txt'),
      trailingSlash: false,
    });
    assert.deepEqual(parseDestination('http://LOCALHOST:8080/webdav/main/dir/', local), {
      segments: path('webdav', 'main', 'dir'),
      trailingSlash: true,
    });
  });

  it('absolute path (Total Commander)', () => {
    assert.deepEqual(parseDestination('/webdav/main/M%E4dchen.txt', local), {
      segments: path('webdav', 'main', 'Mädchen.txt'),
      trailingSlash: false,
    });
  });

  it('same decoding as the request path: UTF-8, Windows-1252, NFC', () => {
    const a = parseDestination('http://localhost:8080/webdav/main/M%C3%A4dchen.txt', local);
    const b = parseDestination('/webdav/main/M%E4dchen.txt', local);
    const c = parseDestination('/webdav/main/Ma%CC%88dchen.txt', local);
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
  });

  it('the scheme may differ from the request (Windows behind a TLS proxy)', () => {
    assert.deepEqual(parseDestination('https://localhost:8080/webdav/x', local).segments, path('webdav', 'x'));
    assert.deepEqual(
      parseDestination('https://photos.example/webdav/x', { host: 'photos.example' }).segments,
      path('webdav', 'x'),
    );
  });

  it('ports: explicit must match; omitted matches; defaults 80/443 by the URI scheme', () => {
    assert.equal(
      status(() => parseDestination('http://localhost/webdav/x', local)),
      0,
    );
    assert.equal(
      status(() => parseDestination('http://localhost:9090/webdav/x', local)),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://example.org:80/webdav/x', { host: 'example.org' })),
      0,
    );
    assert.equal(
      status(() => parseDestination('https://example.org:443/webdav/x', { host: 'example.org' })),
      0,
    );
    assert.equal(
      status(() => parseDestination('http://example.org:8080/webdav/x', { host: 'example.org' })),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://example.org:443/webdav/x', { host: 'example.org' })),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://example.org:80/webdav/x', { host: 'example.org:80' })),
      0,
    );
  });

  it('another host → 502', () => {
    assert.equal(
      status(() => parseDestination('http://evil.example/webdav/x', local)),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://localhost.evil.example:8080/webdav/x', local)),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://localhost:8080@evil.example/webdav/x', local)),
      502,
    );
    assert.equal(
      status(() => parseDestination('ftp://localhost:8080/webdav/x', local)),
      502,
    );
  });

  it('userinfo is ignored', () => {
    assert.deepEqual(parseDestination('http://bob@localhost:8080/webdav/x', local).segments, path('webdav', 'x'));
  });

  it('no Host header: only the base URL can match', () => {
    assert.equal(
      status(() => parseDestination('http://localhost/webdav/x', { host: undefined })),
      502,
    );
    assert.equal(
      status(() => parseDestination('/webdav/x', { host: undefined })),
      0,
    );
  });

  it('matches the public base URL (behind a proxy)', () => {
    const req = { host: '127.0.0.1:8080', baseUrl: 'https://photos.example.org/' };
    assert.deepEqual(parseDestination('https://photos.example.org/webdav/a', req).segments, path('webdav', 'a'));
    assert.deepEqual(parseDestination('https://Photos.Example.org:443/webdav/a', req).segments, path('webdav', 'a'));
    assert.deepEqual(parseDestination('http://photos.example.org/webdav/a', req).segments, path('webdav', 'a'));
    assert.equal(
      status(() => parseDestination('https://photos.example.org:8443/webdav/a', req)),
      502,
    );
    assert.deepEqual(parseDestination('http://127.0.0.1:8080/webdav/a', req).segments, path('webdav', 'a'));
    const withPort = { host: 'x', baseUrl: 'http://pub.example:8443/base/' };
    assert.equal(
      status(() => parseDestination('https://pub.example:8443/webdav/a', withPort)),
      0,
    );
    assert.equal(
      status(() => parseDestination('https://pub.example:443/webdav/a', withPort)),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://pub.example/webdav/a', { host: 'x', baseUrl: 'not a url' })),
      502,
    );
  });

  it('matches the origin the client used, as the host reports it behind a trusted proxy', () => {
    // nginx with TLS on 8443 that passes `Host $host` (no port) and X-Forwarded-Host/-Proto:
    // the host's publicOrigin carries the port the client used.
    const req = { host: 'photos.example.org', publicOrigin: 'https://photos.example.org:8443' };
    assert.deepEqual(parseDestination('https://photos.example.org:8443/webdav/a', req).segments, path('webdav', 'a'));
    assert.deepEqual(parseDestination('https://photos.example.org/webdav/a', req).segments, path('webdav', 'a'));
    assert.equal(
      status(() => parseDestination('https://photos.example.org:9443/webdav/a', req)),
      502,
    );
    assert.equal(
      status(() => parseDestination('https://elsewhere.example:8443/webdav/a', req)),
      502,
    );
    // An origin without a port means its scheme's default: https → 443.
    const tls = { host: '127.0.0.1:8080', publicOrigin: 'https://photos.example.org' };
    assert.deepEqual(parseDestination('https://photos.example.org:443/webdav/a', tls).segments, path('webdav', 'a'));
    assert.equal(
      status(() => parseDestination('https://photos.example.org:80/webdav/a', tls)),
      502,
    );
    assert.equal(
      status(() => parseDestination('http://photos.example.org/webdav/a', { host: 'x', publicOrigin: 'garbage' })),
      502,
    );
  });

  it('IPv6 literals', () => {
    const req = { host: '[::1]:8080' };
    assert.deepEqual(parseDestination('http://[::1]:8080/webdav/a', req).segments, path('webdav', 'a'));
    assert.equal(
      status(() => parseDestination('http://[::2]:8080/webdav/a', req)),
      502,
    );
  });

  it('a URI without a path names the root; the query is dropped', () => {
    assert.deepEqual(parseDestination('http://localhost:8080', local), { segments: [], trailingSlash: true });
    assert.deepEqual(parseDestination('http://localhost:8080?x=1', local), { segments: [], trailingSlash: true });
    assert.deepEqual(parseDestination('/webdav/a?x=1', local).segments, path('webdav', 'a'));
  });

  it('a fragment → 400', () => {
    assert.equal(
      status(() => parseDestination('http://localhost:8080/webdav/a#x', local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('/webdav/a#x', local)),
      400,
    );
  });

  it('relative references → 400', () => {
    for (const ref of ['b.txt', '../b.txt', './x', 'webdav/main/b', '//localhost:8080/webdav/x', '?x']) {
      assert.equal(
        status(() => parseDestination(ref, local)),
        400,
        ref,
      );
    }
  });

  it('malformed URIs → 400', () => {
    assert.equal(
      status(() => parseDestination('http:/webdav/x', local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('http://local host/webdav/x', local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('http://localhost:99999/webdav/x', local)),
      400,
    );
    assert.equal(
      status(() => parseDestination('http:///webdav/x', local)),
      400,
    );
  });

  it('the path gets the request-path checks (400)', () => {
    for (const bad of [
      'http://localhost:8080/webdav/main/../etc',
      'http://localhost:8080/webdav/main/%2e%2e/etc',
      '/webdav/main/..%2fetc',
      '/webdav/main/a%5cb',
      '/webdav/main/a%00',
      '/webdav/main/a%0d%0a',
      '/webdav/main/%zz',
    ]) {
      assert.equal(
        status(() => parseDestination(bad, local)),
        400,
        bad,
      );
    }
  });
});

describe('resolveReference', () => {
  it('reports foreign references instead of throwing', () => {
    assert.deepEqual(resolveReference('http://other/x', local, 'tag'), {
      kind: 'foreign',
      reference: 'http://other/x',
    });
    assert.deepEqual(resolveReference('urn:uuid:1', local, 'tag'), { kind: 'foreign', reference: 'urn:uuid:1' });
    assert.equal(resolveReference('/a', local, 'tag').kind, 'local');
  });
});

describe('parseAuthority', () => {
  it('parses host and port', () => {
    assert.deepEqual(parseAuthority('Example.ORG:8080'), { host: 'example.org', port: 8080 });
    assert.deepEqual(parseAuthority('example.org'), { host: 'example.org', port: undefined });
    assert.deepEqual(parseAuthority('example.org:'), { host: 'example.org', port: undefined });
    assert.deepEqual(parseAuthority('[::1]:80'), { host: '[::1]', port: 80 });
    assert.equal(parseAuthority(''), null);
    assert.equal(parseAuthority('a b'), null);
    assert.equal(parseAuthority('a:b'), null);
    assert.equal(parseAuthority('a:70000'), null);
  });
});
