/**
 * Property tests of the If header (RFC 4918 §10.4), beyond
 * test/unit/plugin-dav-headers-if-header.test.ts: arbitrary text (any
 * Unicode, LWS with CR/LF, traversal in resource tags) never crashes the
 * parser; tags with arbitrary paths round-trip; the evaluator agrees with a
 * plain model of the RFC's rules, never throws, and submits only tokens the
 * header carried.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import {
  evaluateIf,
  parseIfHeader,
  strongEtagMatch,
  submittedLockTokens,
  type IfList,
  type ResourceState,
} from '../../plugin/dav/headers/if-header.js';
import { encodeHref, type RequestPath } from '../../plugin/dav/paths.js';
import { isValidName } from '../../plugin/store/names.js';

const REQUEST = { host: 'dav.example:8080' };

function parsed(value: string): IfList[] | null {
  try {
    return parseIfHeader(value, REQUEST);
  } catch (error) {
    assert.ok(error instanceof DavError, `${JSON.stringify(value)} threw ${String(error)}`);
    assert.equal(error.status, 400);
    assert.ok(!/[\r\n]/.test(error.message), 'the message quotes the header safely');
    return null;
  }
}

const name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter((s) => isValidName(s) && !/[\ud800-\udfff]/.test(s));
const segments = fc.array(name, { maxLength: 5 });
const token = fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((t) => `urn:uuid:${t}`);
const etag = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[!#-~]{0,10}$/))
  .map(([weak, t]) => `${weak ? 'W/' : ''}"${t}"`);

/** Pieces the grammar knows, and pieces that attack it. */
const PIECES = [
  '(',
  ')',
  '<',
  '>',
  '[',
  ']',
  '"',
  'W/',
  'Not',
  'not ',
  'NOT\t',
  ' ',
  '\t',
  '\r\n',
  '\n ',
  'urn:uuid:1',
  'DAV:no-lock',
  '/webdav/main/a',
  '/webdav/main/../../etc/passwd',
  '/webdav/main/%2e%2e/x',
  '/webdav/%00',
  'http://dav.example:8080/webdav/main/b',
  'http://evil.example/webdav/main/b',
  'https://user:pw@dav.example/webdav/x',
  'relative',
  '//net/path',
  '#frag',
  '%',
  '\u0000',
  '\u00e4',
  '😀',
];

describe('the If header parser, fuzzed', () => {
  it('regression (found by this fuzzer, seed 546333674): a state token holding CR LF is quoted in the message', () => {
    for (const value of ['(<\r\n>', '(<\r\n>)', '(<a\nb>)']) assert.equal(parsed(value), null);
  });

  it('never throws anything but a DavError 400 on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 120 }),
          fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((p) => p.join('')),
        ),
        (value) => {
          const lists = parsed(value);
          if (lists === null) return;
          assert.ok(lists.length > 0);
          for (const list of lists) {
            assert.ok(list.conditions.length > 0);
            for (const c of list.conditions) {
              assert.ok(c.kind === 'token' || c.kind === 'etag');
              if (c.kind === 'token') assert.match(c.value, /^[A-Za-z][A-Za-z0-9+.-]*:/);
            }
            // A local resource is a path the request decoder accepted: no traversal in it.
            if (list.resource && !list.foreign)
              for (const s of list.resource.segments) assert.ok(isValidName(s), JSON.stringify(s));
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('round trip: tagged lists on any path, as an absolute path or a URL of this server, come back as sent', () => {
    const condition = fc.oneof(
      fc.tuple(fc.boolean(), token).map(([not, value]) => ({ not, kind: 'token' as const, value })),
      fc.tuple(fc.boolean(), etag).map(([not, value]) => ({ not, kind: 'etag' as const, value })),
    );
    const tagged = fc.record({
      path: segments,
      slash: fc.boolean(),
      form: fc.constantFrom('path', 'url', 'foreign'),
      lists: fc.array(fc.array(condition, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    });
    const lws = fc.constantFrom(' ', '  ', '\t', '\r\n ', '');
    fc.assert(
      fc.property(fc.array(tagged, { minLength: 1, maxLength: 3 }), lws, (tags, gap) => {
        const text = tags
          .map((t) => {
            const href = encodeHref(['webdav', ...t.path], t.slash);
            const tag =
              t.form === 'path'
                ? href
                : t.form === 'url'
                  ? `http://DAV.example:8080${href}`
                  : `http://elsewhere.example${href}`;
            const lists = t.lists.map(
              (l) =>
                `(${l.map((c) => `${c.not ? 'Not ' : ''}${c.kind === 'token' ? `<${c.value}>` : `[${c.value}]`}`).join(' ')})`,
            );
            return `<${tag}>${gap === '' ? ' ' : gap}${lists.join(gap)}`;
          })
          .join(gap === '' ? ' ' : gap);
        const lists = parseIfHeader(text, REQUEST);
        const expected = tags.flatMap((t) => t.lists.map((conditions) => ({ t, conditions })));
        assert.equal(lists.length, expected.length);
        for (const [i, list] of lists.entries()) {
          const { t, conditions } = expected[i]!;
          assert.deepEqual(list.conditions, conditions);
          assert.equal(list.foreign, t.form === 'foreign');
          assert.deepEqual(list.resource?.segments, ['webdav', ...t.path.map((s) => s.normalize('NFC'))]);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('the evaluator never throws, agrees with the RFC model, and submits only tokens of non-foreign, non-Not conditions', async () => {
    const paths = [
      '/webdav/main/a',
      '/webdav/main/b/',
      'http://dav.example:8080/webdav/main/a',
      'http://other.example/webdav/main/a',
    ];
    const tokens = ['urn:uuid:1', 'urn:uuid:2', 'DAV:no-lock'];
    const etags = ['"x"', '"y"', 'W/"x"'];
    const condition = fc.record({
      not: fc.boolean(),
      kind: fc.constantFrom('token' as const, 'etag' as const),
      i: fc.nat(2),
    });
    const header = fc.record({
      tags: fc.option(fc.constantFrom(...paths), { nil: undefined }),
      lists: fc.array(fc.array(condition, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    });
    const state = fc.record({
      etag: fc.option(fc.constantFrom(...etags), { nil: null }),
      lockTokens: fc.subarray(tokens),
    });
    await fc.assert(
      fc.asyncProperty(header, state, state, async (h, requestState, otherState) => {
        const text =
          (h.tags ? `<${h.tags}> ` : '') +
          h.lists
            .map(
              (l) =>
                `(${l.map((c) => `${c.not ? 'Not ' : ''}${c.kind === 'token' ? `<${tokens[c.i]}>` : `[${etags[c.i]}]`}`).join(' ')})`,
            )
            .join(' ');
        const lists = parseIfHeader(text, REQUEST);
        const requestPath: RequestPath = { segments: ['webdav', 'main', 'req'], trailingSlash: false };
        const stateOf = async (p: RequestPath): Promise<ResourceState> =>
          p.segments.join('/') === 'webdav/main/req' ? requestState : otherState;
        const result = await evaluateIf(lists, requestPath, stateOf);
        // The model: some list that is not foreign has every condition true.
        const holds = (c: { not: boolean; kind: 'token' | 'etag'; i: number }, s: ResourceState) => {
          const match =
            c.kind === 'token'
              ? s.lockTokens.includes(tokens[c.i]!)
              : s.etag !== null && strongEtagMatch(etags[c.i]!, s.etag);
          return c.not ? !match : match;
        };
        const foreign = h.tags?.includes('other.example') ?? false;
        const s = h.tags ? otherState : requestState;
        const model = !foreign && h.lists.some((l) => l.every((c) => holds(c, s)));
        assert.equal(result, model, text);
        const submitted = submittedLockTokens(lists);
        const expected = foreign
          ? []
          : [
              ...new Set(
                h.lists
                  .flat()
                  .filter((c) => c.kind === 'token' && !c.not)
                  .map((c) => tokens[c.i]!),
              ),
            ];
        assert.deepEqual(submitted, expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('a weak entity tag never matches strongly, whatever the tags', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[!#-~]{0,8}$/), fc.stringMatching(/^[!#-~]{0,8}$/), (a, b) => {
        assert.equal(strongEtagMatch(`W/"${a}"`, `"${b}"`), false);
        assert.equal(strongEtagMatch(`"${a}"`, `W/"${b}"`), false);
        assert.equal(strongEtagMatch(`"${a}"`, `"${b}"`), a === b);
      }),
    );
  });
});
