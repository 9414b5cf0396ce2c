/**
 * Property tests of the request-path decoder (plugin/dav/paths.ts), beyond
 * test/unit/plugin-dav-paths.test.ts: whole request targets of any shape,
 * and the one property the store relies on — whatever the decoder accepts,
 * joined under a share root, stays inside that root.
 */
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import { decodeSegment, parseRequestPath, quoteForMessage } from '../../plugin/dav/paths.js';
import { isValidName } from '../../plugin/store/names.js';

const ROOT = '/srv/share';

/** Only a DavError 400 may come out of the decoder. */
function decoded(target: string): string[] | null {
  try {
    return parseRequestPath(target).segments;
  } catch (error) {
    assert.ok(error instanceof DavError, `${JSON.stringify(target)} threw ${String(error)}`);
    assert.equal(error.status, 400);
    return null;
  }
}

/** The store joins the decoded names under the root: the result must stay inside, on POSIX and read as Windows. */
function assertContained(segments: readonly string[]): void {
  const joined = posix.join(ROOT, ...segments);
  assert.ok(joined === ROOT || joined.startsWith(`${ROOT}/`), `${JSON.stringify(segments)} → ${joined}`);
  assert.equal(posix.relative(ROOT, joined).split('/').includes('..'), false);
  // No name can be read as a drive, a UNC path or a parent by a Windows-minded consumer either.
  const windows = win32.join('C:\\share', ...segments);
  assert.ok(windows.startsWith('C:\\share'), `${JSON.stringify(segments)} → ${windows}`);
  for (const name of segments) assert.ok(isValidName(name), JSON.stringify(name));
}

/** Pieces of traversal attempts, as they go on the wire. */
const ATTACK_TOKENS = [
  '..',
  '.',
  '/',
  '//',
  '\\',
  '%2e',
  '%2E',
  '%2e%2e',
  '%252e',
  '%25',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%00',
  '%0d',
  '%0a',
  '%c0%ae',
  '%c0%af',
  '%e0%80%ae',
  '%c1%9c',
  '%ef%bc%8e',
  '%e2%80%ae',
  '%ff',
  '%fe',
  'C:',
  'c:',
  ':',
  ';',
  '?',
  '#',
  '~',
  'a',
  'Mädchen',
  'M%E4dchen',
  '%C3%A4',
  '%F0%9F%93%B7',
  ' ',
  '%20',
  '+',
  '@',
  '&',
  '=',
  'webdav',
  'main',
];

describe('parseRequestPath, fuzzed', () => {
  it('whatever the target (absolute-form, query, any Unicode), it yields names that stay inside the share, or a DavError 400', () => {
    const target = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `/${s}`),
      fc
        .tuple(
          fc.constantFrom('http://', 'https://', 'HTTP://', 'x-y+z.1://', 'http:/', '//'),
          fc.string({ maxLength: 20 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
        )
        .map(([scheme, host, rest]) => `${scheme}${host}/${rest}`),
      fc.array(fc.constantFrom(...ATTACK_TOKENS), { maxLength: 14 }).map((parts) => `/webdav/main/${parts.join('')}`),
      fc.array(fc.constantFrom(...ATTACK_TOKENS), { maxLength: 14 }).map((parts) => `/${parts.join('/')}`),
    );
    fc.assert(
      fc.property(target, (t) => {
        const segments = decoded(t);
        if (segments !== null) assertContained(segments);
      }),
      { numRuns: 5000 },
    );
  });

  it('no spelling of "..", "/" or "\\" survives decoding, however it is encoded (once, twice, overlong, fullwidth)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ATTACK_TOKENS), { minLength: 1, maxLength: 10 }), (parts) => {
        const segments = decoded(`/${parts.join('')}`);
        if (segments === null) return;
        for (const name of segments) {
          assert.notEqual(name, '..');
          assert.notEqual(name, '.');
          // eslint-disable-next-line no-control-regex -- control characters are what must never appear
          assert.ok(!/[/\\\u0000-\u001f]/.test(name), JSON.stringify(name));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('a fragment or a malformed percent escape is always refused', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom('#', '%', '%g0', '%0', '%x'),
        (a, b, bad) => {
          const t = `/${a.replace(/[#%?]/g, '')}${bad}${b.replace(/[#%?]/g, '')}`;
          if (bad === '#' || !/%[0-9A-Fa-f]{2}/.test(t)) assert.equal(decoded(t), null, t);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round trip: a name in the Windows-1252 code page, percent-encoded byte by byte, decodes to itself when the bytes are not UTF-8', () => {
    const cp1252 = [
      ...Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)),
      ...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ',
      ...Array.from({ length: 0x60 }, (_, i) => String.fromCharCode(0xa0 + i)),
    ];
    const toByte = (c: string): number => {
      const high = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'.indexOf(c);
      return high >= 0 ? 0x80 + high : c.charCodeAt(0);
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...cp1252), { minLength: 1, maxLength: 16 }).map((cs) => cs.join('')),
        (name) => {
          if (!isValidName(name)) return;
          const bytes = Uint8Array.from([...name].map(toByte));
          let utf8 = true;
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            utf8 = false;
          }
          const raw = [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
          if (!utf8) assert.equal(decodeSegment(raw), name.normalize('NFC'));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('error messages quote what was sent without control characters (they end up in plain-text answers and logs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const quoted = quoteForMessage(s);
        // eslint-disable-next-line no-control-regex -- control characters are what must never appear
        assert.ok(!/[\u0000-\u001f\u007f]/.test(quoted), JSON.stringify(quoted));
        assert.ok(quoted.length <= 80 * 12 + 10);
        try {
          parseRequestPath(`/${s}`);
        } catch (error) {
          assert.ok(error instanceof DavError);
          assert.ok(!/[\r\n]/.test(error.message), JSON.stringify(error.message));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
