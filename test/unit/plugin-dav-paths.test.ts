import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import {
  decodeSegment,
  decodeWindows1252,
  encodeHref,
  encodeSegment,
  parseRequestPath,
  quoteForMessage,
  samePath,
} from '../../plugin/dav/paths.js';
import { isBelow, samePlace } from '../../plugin/config/shares.js';
import { isValidName } from '../../plugin/store/names.js';

function assertDav400(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DavError, `expected DavError, got ${String(error)}`);
    assert.equal(error.status, 400);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('parseRequestPath', () => {
  it('splits and decodes segments, strips the query', () => {
    assert.deepEqual(parseRequestPath('/webdav/main/M%C3%A4dchen.txt?x=1'), {
      segments: ['webdav', 'main', 'Mädchen.txt'],
      trailingSlash: false,
    });
  });

  it('root and trailing slashes', () => {
    assert.deepEqual(parseRequestPath('/'), { segments: [], trailingSlash: true });
    assert.deepEqual(parseRequestPath('/webdav/'), { segments: ['webdav'], trailingSlash: true });
    assert.deepEqual(parseRequestPath('/webdav'), { segments: ['webdav'], trailingSlash: false });
    assert.deepEqual(parseRequestPath('/webdav/?q'), { segments: ['webdav'], trailingSlash: true });
  });

  it('collapses empty segments', () => {
    assert.deepEqual(parseRequestPath('//webdav///main//a//'), {
      segments: ['webdav', 'main', 'a'],
      trailingSlash: true,
    });
  });

  it('UTF-8 and Windows-1252 spellings of Mädchen.txt decode to the same name', () => {
    const utf8 = parseRequestPath('/webdav/main/M%C3%A4dchen.txt');
    const cp1252 = parseRequestPath('/webdav/main/M%E4dchen.txt');
    const lower = parseRequestPath('/webdav/main/M%c3%a4dchen.txt');
    assert.deepEqual(utf8, cp1252);
    assert.deepEqual(utf8, lower);
    assert.equal(utf8.segments[2], 'M\u00e4dchen.txt');
  });

  it('NFD input becomes NFC', () => {
    // a + COMBINING DIAERESIS (macOS)
    const nfd = parseRequestPath('/webdav/main/Ma%CC%88dchen.txt');
    assert.equal(nfd.segments[2], 'M\u00e4dchen.txt');
    assert.equal(nfd.segments[2], nfd.segments[2]!.normalize('NFC'));
  });

  it('a fragment anywhere is a 400', () => {
    assertDav400(() => parseRequestPath('/webdav/a#b'), /fragment/);
    assertDav400(() => parseRequestPath('/webdav/a?x#b'), /fragment/);
    assertDav400(() => parseRequestPath('/webdav/#'), /fragment/);
  });

  it('an encoded # is a name character, not a fragment', () => {
    assert.deepEqual(parseRequestPath('/a/b%23c').segments, ['a', 'b#c']);
  });

  it('the target must start with /', () => {
    assertDav400(() => parseRequestPath('webdav/a'));
    assertDav400(() => parseRequestPath('*'));
    assertDav400(() => parseRequestPath(''));
  });

  it('absolute-form targets are reduced to their path', () => {
    assert.deepEqual(parseRequestPath('http://example.org:8080/webdav/a?x'), {
      segments: ['webdav', 'a'],
      trailingSlash: false,
    });
    assert.deepEqual(parseRequestPath('https://example.org'), { segments: [], trailingSlash: true });
  });

  it('refuses dot segments, raw or encoded', () => {
    assertDav400(() => parseRequestPath('/webdav/main/../etc'), /"\.\."/);
    assertDav400(() => parseRequestPath('/webdav/main/./x'), /"\."/);
    assertDav400(() => parseRequestPath('/webdav/main/%2e%2e/etc'), /"\.\."/);
    assertDav400(() => parseRequestPath('/webdav/main/%2E%2E'), /"\.\."/);
    assertDav400(() => parseRequestPath('/webdav/main/.%2e/x'));
    assertDav400(() => parseRequestPath('/webdav/main/%2e'));
  });

  it('refuses encoded slashes and backslashes', () => {
    assertDav400(() => parseRequestPath('/webdav/main/..%2fetc'), /slash/);
    assertDav400(() => parseRequestPath('/webdav/main/a%2Fb'), /slash/);
    assertDav400(() => parseRequestPath('/webdav/main/..%5cetc'), /backslash/);
    assertDav400(() => parseRequestPath('/webdav/main/a%5Cb'), /backslash/);
    assertDav400(() => parseRequestPath('/webdav/main/a\\b'), /backslash/);
  });

  it('refuses NUL and control characters (CR/LF)', () => {
    assertDav400(() => parseRequestPath('/webdav/a%00b'), /NUL/);
    assertDav400(() => parseRequestPath('/webdav/a%0d%0aSet-Cookie:x'), /control/);
    assertDav400(() => parseRequestPath('/webdav/a%0Ab'), /control/);
    assertDav400(() => parseRequestPath('/webdav/a%09b'), /control/);
    assertDav400(() => parseRequestPath('/webdav/a%1Fb'), /control/);
  });

  it('overlong UTF-8 (%C0%AE%C0%AE) is not valid UTF-8: Windows-1252, harmless, never ".."', () => {
    const p = parseRequestPath('/webdav/%C0%AE%C0%AE/x');
    assert.equal(p.segments[1], '\u00c0\u00ae\u00c0\u00ae');
    assert.notEqual(p.segments[1], '..');
    const slash = parseRequestPath('/webdav/%C0%AF');
    assert.equal(slash.segments[1], '\u00c0\u00af');
  });

  it('encoded UTF-16 surrogates in UTF-8 (CESU) are not valid UTF-8', () => {
    assert.equal(decodeSegment('%ED%A0%80'), '\u00ed\u00a0\u20ac');
  });

  it('malformed percent escapes are a 400', () => {
    assertDav400(() => parseRequestPath('/webdav/%zz'), /percent/);
    assertDav400(() => parseRequestPath('/webdav/%4'), /percent/);
    assertDav400(() => parseRequestPath('/webdav/a%'), /percent/);
    assertDav400(() => parseRequestPath('/webdav/%%41'), /percent/);
  });

  it('takes raw bytes as Node hands them over (Latin-1 string of UTF-8 bytes)', () => {
    // A raw UTF-8 "ä" in a header reaches us as the two Latin-1 chars "Ã¤".
    assert.deepEqual(parseRequestPath('/b/\u00c3\u00a4').segments, ['b', '\u00e4']);
    // A lone 0xE4 byte is not UTF-8: Windows-1252.
    assert.deepEqual(parseRequestPath('/b/\u00e4').segments, ['b', '\u00e4']);
  });

  it('raw spaces and sub-delims pass', () => {
    assert.deepEqual(parseRequestPath("/a b/c+d/e&f/(1)/x;y=z/@:!$'*,").segments, [
      'a b',
      'c+d',
      'e&f',
      '(1)',
      'x;y=z',
      "@:!$'*,",
    ]);
  });

  it('never throws anything but a DavError 400, never yields an invalid name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (tail) => {
        try {
          const p = parseRequestPath(`/${tail}`);
          for (const s of p.segments) assert.ok(isValidName(s), JSON.stringify(s));
          for (const s of p.segments) assert.equal(s, s.normalize('NFC'));
        } catch (error) {
          assert.ok(error instanceof DavError);
          assert.equal(error.status, 400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but a DavError 400 on random percent-escaped bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const raw = '/' + [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
        try {
          const p = parseRequestPath(raw);
          for (const s of p.segments) {
            assert.ok(isValidName(s));
            assert.ok(s !== '.' && s !== '..');
          }
        } catch (error) {
          assert.ok(error instanceof DavError);
          assert.equal(error.status, 400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeSegment', () => {
  it('decodes one segment', () => {
    assert.equal(decodeSegment('M%C3%A4dchen.txt'), 'Mädchen.txt');
    assert.equal(decodeSegment('M%E4dchen.txt'), 'Mädchen.txt');
    assert.equal(decodeSegment('%F0%9F%93%B7'), '📷');
    assert.equal(decodeSegment('a%20b'), 'a b');
  });

  it('Windows-1252 covers 0x80-0x9F', () => {
    assert.equal(decodeSegment('%80%82%83%84%85%86%87%88%89%8A%8B%8C%8E'), '€‚ƒ„…†‡ˆ‰Š‹ŒŽ');
    assert.equal(decodeSegment('%91%92%93%94%95%96%97%98%99%9A%9B%9C%9E%9F'), '‘’“”•–—˜™š›œžŸ');
    assert.equal(decodeSegment('%81%8D%8F%90%9D'), '\u0081\u008d\u008f\u0090\u009d');
    // A mixed segment that is not valid UTF-8 as a whole is decoded as Windows-1252 as a whole.
    assert.equal(decodeSegment('%E4%80'), 'ä€');
  });

  it('rejects an empty decoded name', () => {
    assertDav400(() => decodeSegment(''));
  });
});

describe('decodeWindows1252', () => {
  it('maps every byte to one character, Latin-1 outside 0x80-0x9F', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = decodeWindows1252(all);
    assert.equal(s.length, 256);
    for (let b = 0; b < 256; b++) {
      if (b < 0x80 || b > 0x9f) assert.equal(s.charCodeAt(b), b);
    }
    assert.equal(s[0x80], '€');
    assert.equal(s[0x9f], 'Ÿ');
  });
});

describe('isValidName', () => {
  it('accepts ordinary names', () => {
    for (const name of ['a', 'Mädchen.txt', '.DS_Store', '._x', '...', 'a b', '#x', '%', '~$lock']) {
      assert.ok(isValidName(name), name);
    }
  });
  it('refuses what could escape or confuse', () => {
    for (const name of ['', '.', '..', 'a/b', 'a\\b', 'a\u0000', 'a\r', 'a\n', '\u001f', '\t']) {
      assert.ok(!isValidName(name), JSON.stringify(name));
    }
  });
});

describe('encodeSegment / encodeHref', () => {
  it('keeps unreserved and safe sub-delims, encodes the rest as UTF-8', () => {
    assert.equal(encodeSegment("AZaz09-._~!$'()*+,;=:@"), "AZaz09-._~!$'()*+,;=:@");
    assert.equal(encodeSegment('Mädchen.txt'), 'M%C3%A4dchen.txt');
    assert.equal(encodeSegment('a b&c<d>"e%f?g#h/i\\j'), 'a%20b%26c%3Cd%3E%22e%25f%3Fg%23h%2Fi%5Cj');
    assert.equal(encodeSegment('📷'), '%F0%9F%93%B7');
    assert.equal(encodeSegment('\ud800'), '%EF%BF%BD');
  });

  it('builds hrefs', () => {
    assert.equal(encodeHref([], false), '/');
    assert.equal(encodeHref([], true), '/');
    assert.equal(encodeHref(['webdav', 'main'], true), '/webdav/main/');
    assert.equal(encodeHref(['webdav', 'main', 'Mädchen.txt'], false), '/webdav/main/M%C3%A4dchen.txt');
  });

  it('encoded output only uses safe characters (also XML-safe)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        assert.match(encodeSegment(name), /^[A-Za-z0-9\-._~!$'()*+,;=:@%]*$/);
      }),
    );
  });

  it('round-trips every valid name through encodeSegment/decodeSegment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(isValidName), (name) => {
        assert.equal(decodeSegment(encodeSegment(name)), name.normalize('NFC'));
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips paths through encodeHref/parseRequestPath', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .string({ unit: 'binary', minLength: 1, maxLength: 12 })
            .filter((s) => isValidName(s) && !/[\ud800-\udfff]/.test(s)),
          { maxLength: 6 },
        ),
        fc.boolean(),
        (segments, slash) => {
          const nfc = segments.map((s) => s.normalize('NFC'));
          const parsed = parseRequestPath(encodeHref(segments, slash));
          assert.deepEqual(parsed.segments, nfc);
          assert.equal(parsed.trailingSlash, slash || segments.length === 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('samePath / samePlace / isBelow', () => {
  it('ignores the trailing slash', () => {
    assert.ok(samePath({ segments: ['a', 'b'], trailingSlash: true }, { segments: ['a', 'b'], trailingSlash: false }));
    assert.ok(!samePath({ segments: ['a', 'b'], trailingSlash: true }, { segments: ['a'], trailingSlash: true }));
    assert.ok(!samePath({ segments: ['a', 'b'], trailingSlash: true }, { segments: ['a', 'c'], trailingSlash: true }));
  });
  it('places in shares: below means strictly below, in the same share', () => {
    const at = (mount: string, ...path: string[]) => ({ mount, path });
    assert.ok(isBelow(at('m', 'a'), at('m')));
    assert.ok(isBelow(at('m', 'a', 'b'), at('m', 'a')));
    assert.ok(!isBelow(at('m', 'a', 'b'), at('m', 'a', 'b')));
    assert.ok(!isBelow(at('m', 'a'), at('m', 'a', 'b')));
    assert.ok(!isBelow(at('m', 'ab'), at('m', 'a')));
    assert.ok(!isBelow(at('n', 'a', 'b'), at('m', 'a')));
    assert.ok(samePlace(at('m', 'a'), at('m', 'a')));
    assert.ok(!samePlace(at('m', 'a'), at('n', 'a')));
  });
});

describe('quoteForMessage', () => {
  it('quotes, escapes controls and truncates', () => {
    assert.equal(quoteForMessage('a\r\nb'), '"a\\r\\nb"');
    assert.equal(quoteForMessage('x'.repeat(200)), `"${'x'.repeat(80)}…"`);
  });
});
