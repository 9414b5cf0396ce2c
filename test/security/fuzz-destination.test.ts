/**
 * Property tests of the Destination header (RFC 4918 §10.3) and the
 * reference normalisation it shares with If resource tags. No such tests
 * existed: arbitrary values yield a path of this server, a 502 for another
 * server, or a 400, never anything else; absolute paths and URLs of this
 * server round-trip; traversal never survives; the userinfo of a URL and the
 * spelling of host and port do not change where it points.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import { parseDestination, resolveReference } from '../../plugin/dav/headers/destination.js';
import { encodeHref, type RequestPath } from '../../plugin/dav/paths.js';
import { isValidName } from '../../plugin/store/names.js';

const REQUEST = { host: 'photos.example:8080', baseUrl: 'https://public.example/base/' };

function destination(value: string, request = REQUEST): RequestPath | number {
  try {
    return parseDestination(value, request);
  } catch (error) {
    assert.ok(error instanceof DavError, `${JSON.stringify(value)} threw ${String(error)}`);
    assert.ok([400, 502].includes(error.status), `${JSON.stringify(value)}: ${error.status}`);
    assert.ok(!/[\r\n]/.test(error.message));
    return error.status;
  }
}

const name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter((s) => isValidName(s) && !/[\ud800-\udfff]/.test(s));
const segments = fc.array(name, { maxLength: 6 });

const PIECES = [
  'http://',
  'https://',
  'HTTP://',
  'ftp://',
  'file:///',
  '//',
  '/',
  '..',
  '%2e%2e',
  '%2f',
  '%5c',
  '\\',
  '%00',
  '#',
  '?',
  '@',
  ':',
  '[',
  ']',
  'photos.example',
  'PHOTOS.EXAMPLE',
  ':8080',
  ':80',
  ':443',
  ':65536',
  ':',
  'public.example',
  'evil.example',
  'user:pw@',
  '[::1]',
  'webdav',
  'main',
  'a b',
  '\u00e4',
  '%E4',
  ' ',
  '\t',
];

describe('the Destination header, fuzzed', () => {
  it('any value yields a local path of valid names, a 502 (another server) or a 400', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 100 }),
          fc.array(fc.constantFrom(...PIECES), { maxLength: 16 }).map((p) => p.join('')),
        ),
        (value) => {
          const result = destination(value);
          if (typeof result === 'number') return;
          for (const s of result.segments) {
            assert.ok(isValidName(s), JSON.stringify(s));
            assert.ok(s !== '.' && s !== '..');
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('round trip: an absolute path, or a URL naming this server in any spelling, comes back as the same names', () => {
    const form = fc.constantFrom(
      (href: string) => href,
      (href: string) => `http://photos.example:8080${href}`,
      (href: string) => `HTTPS://Photos.Example:8080${href}`,
      (href: string) => `http://photos.example${href}`, // no port: the host alone decides
      (href: string) => `https://anyone:secret@photos.example:8080${href}`, // userinfo is ignored
      (href: string) => `https://public.example${href}`, // the public base URL
      (href: string) => `https://public.example:443${href}`,
    );
    fc.assert(
      fc.property(segments, fc.boolean(), form, (names, slash, spell) => {
        const href = encodeHref(['webdav', ...names], slash);
        const result = destination(spell(href));
        assert.notEqual(typeof result, 'number', `${spell(href)} was refused`);
        const path = result as RequestPath;
        assert.deepEqual(path.segments, ['webdav', ...names.map((s) => s.normalize('NFC'))]);
        assert.equal(path.trailingSlash, href.endsWith('/'));
      }),
      { numRuns: 3000 },
    );
  });

  it('a URL of another host, port or scheme is never taken for this server (502)', () => {
    const other = fc.constantFrom(
      (href: string) => `http://evil.example${href}`,
      (href: string) => `http://photos.example:8081${href}`,
      (href: string) => `http://photos.example.evil.example${href}`,
      (href: string) => `http://photos.example@evil.example${href}`,
      (href: string) => `ftp://photos.example:8080${href}`,
      (href: string) => `http://public.example:8443${href}`,
      (href: string) => `http://[::1]:8080${href}`,
    );
    fc.assert(
      fc.property(segments, other, (names, spell) => {
        assert.equal(destination(spell(encodeHref(['webdav', ...names], false))), 502);
      }),
      { numRuns: 1500 },
    );
  });

  it('traversal in the path of a Destination is refused wherever it sits, as path or URL', () => {
    const traversal = fc.constantFrom(
      '..',
      '%2e%2e',
      '%2E%2e',
      '.%2e',
      '..%2f',
      '%2e%2e%5c',
      'a%2fb',
      'a%5cb',
      '%00',
      'x%0d%0ay',
    );
    fc.assert(
      fc.property(segments, traversal, fc.nat(6), fc.boolean(), (names, bad, at, url) => {
        const encoded = ['webdav', ...names].map((s) => encodeHref([s], false).slice(1));
        encoded.splice(Math.min(at, encoded.length), 0, bad);
        const path = `/${encoded.join('/')}`;
        assert.equal(destination(url ? `http://photos.example:8080${path}` : path), 400, path);
      }),
      { numRuns: 2000 },
    );
  });

  it('resolveReference agrees with parseDestination and never throws anything but a DavError 400', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
        let resolved: ReturnType<typeof resolveReference> | null = null;
        try {
          resolved = resolveReference(value, REQUEST, 'reference');
        } catch (error) {
          assert.ok(error instanceof DavError && error.status === 400, String(error));
        }
        const viaDestination = destination(value);
        if (resolved === null) assert.equal(viaDestination, 400);
        else if (resolved.kind === 'foreign') assert.equal(viaDestination, 502);
        else assert.deepEqual(viaDestination, resolved.path);
      }),
      { numRuns: 3000 },
    );
  });
});
