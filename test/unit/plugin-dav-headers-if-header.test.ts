import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import {
  evaluateIf,
  parseIfHeader,
  strongEtagMatch,
  submittedLockTokens,
  type IfCondition,
  type IfList,
  type ResourceState,
} from '../../plugin/dav/headers/if-header.js';
import type { RequestPath } from '../../plugin/dav/paths.js';

const req = { host: 'www.example.com' };
const T1 = 'urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2';
const T2 = 'urn:uuid:58f202ac-22cf-11d1-b12d-002035b29092';
const p = (...segments: string[]): RequestPath => ({ segments, trailingSlash: false });
const token = (value: string, not = false): IfCondition => ({ not, kind: 'token', value });
const etag = (value: string, not = false): IfCondition => ({ not, kind: 'etag', value });

function assert400(value: string): void {
  assert.throws(
    () => parseIfHeader(value, req),
    (error: unknown) => error instanceof DavError && error.status === 400,
    JSON.stringify(value),
  );
}

/** A state function over a fixed table, counting its calls. */
function states(table: Record<string, ResourceState>) {
  const calls: string[] = [];
  const stateOf = async (path: RequestPath): Promise<ResourceState> => {
    const key = '/' + path.segments.join('/');
    calls.push(key);
    return table[key] ?? { etag: null, lockTokens: [] };
  };
  return { stateOf, calls };
}

describe('parseIfHeader: RFC 4918 §10.4 examples', () => {
  it('§10.4.6 no-tag production', () => {
    const lists = parseIfHeader(`(<${T1}> ["I am an ETag"]) (["I am another ETag"])`, req);
    assert.deepEqual(lists, [
      { resource: null, foreign: false, tag: null, conditions: [token(T1), etag('"I am an ETag"')] },
      { resource: null, foreign: false, tag: null, conditions: [etag('"I am another ETag"')] },
    ]);
  });

  it('§10.4.7 Not', () => {
    const lists = parseIfHeader(`(Not <${T1}> <${T2}>)`, req);
    assert.deepEqual(lists[0]!.conditions, [token(T1, true), token(T2)]);
  });

  it('§10.4.8 always true with Not <DAV:no-lock>', () => {
    const lists = parseIfHeader(`(<${T1}>) (Not <DAV:no-lock>)`, req);
    assert.deepEqual(
      lists.map((l) => l.conditions),
      [[token(T1)], [token('DAV:no-lock', true)]],
    );
  });

  it('§10.4.9 tagged list with an absolute URL', () => {
    const lists = parseIfHeader(`<http://www.example.com/specs/> (<${T1}>)`, req);
    assert.deepEqual(lists, [
      {
        resource: { segments: ['specs'], trailingSlash: true },
        foreign: false,
        tag: 'http://www.example.com/specs/',
        conditions: [token(T1)],
      },
    ]);
  });

  it('§10.4.1-style multiple tagged lists, several lists per tag', () => {
    const lists = parseIfHeader(
      `<http://www.example.com/resource1> (<${T1}> [W/"A weak ETag"]) (["strong ETag"]) <http://www.example.com/random> (["another strong ETag"])`,
      req,
    );
    assert.equal(lists.length, 3);
    assert.deepEqual(lists[0]!.resource, p('resource1'));
    assert.deepEqual(lists[1]!.resource, p('resource1'));
    assert.deepEqual(lists[2]!.resource, p('random'));
    assert.deepEqual(lists[0]!.conditions, [token(T1), etag('W/"A weak ETag"')]);
  });
});

describe('parseIfHeader: clients', () => {
  it('neon/litmus tags: absolute URL with port and encoded path', () => {
    const lists = parseIfHeader('<http://localhost:8080/webdav/litmus/lock%C3%A4me> (<opaquelocktoken:1234-abcd>)', {
      host: 'localhost:8080',
    });
    assert.deepEqual(lists[0]!.resource, p('webdav', 'litmus', 'lockäme'));
    assert.equal(lists[0]!.foreign, false);
  });

  it('absolute-path tags', () => {
    const lists = parseIfHeader('</webdav/main/a%E4.txt> (<urn:uuid:x>)', req);
    assert.deepEqual(lists[0]!.resource, p('webdav', 'main', 'aä.txt'));
  });

  it('a tag on another server: foreign list', () => {
    const lists = parseIfHeader(`<http://evil.example/webdav/a> (<${T1}>)`, req);
    assert.equal(lists[0]!.foreign, true);
    assert.deepEqual(lists[0]!.resource, p('webdav', 'a'));
    const urn = parseIfHeader(`<urn:x:y> (<${T1}>)`, req);
    assert.equal(urn[0]!.foreign, true);
    assert.deepEqual(urn[0]!.resource, p());
  });

  it('LWS: tabs, no spaces, line folding', () => {
    const a = parseIfHeader(`(<${T1}>["x"])(Not["y"])`, req);
    const b = parseIfHeader(`\t ( <${T1}>\t["x"] ) \r\n ( Not  ["y"] ) `, req);
    assert.deepEqual(a, b);
    assert.deepEqual(parseIfHeader(`(not <${T1}>)`, req)[0]!.conditions, [token(T1, true)]);
    assert.deepEqual(parseIfHeader(`(NOT<${T1}>)`, req)[0]!.conditions, [token(T1, true)]);
  });

  it('entity tags keep quotes and W/ as sent, may contain ] and ,', () => {
    assert.deepEqual(parseIfHeader('(["a]b,c"])', req)[0]!.conditions, [etag('"a]b,c"')]);
    assert.deepEqual(parseIfHeader('([W/"x"])', req)[0]!.conditions, [etag('W/"x"')]);
    assert.deepEqual(parseIfHeader('([""])', req)[0]!.conditions, [etag('""')]);
  });
});

describe('parseIfHeader: malformed → 400', () => {
  it('refuses what is outside the grammar', () => {
    for (const bad of [
      '',
      '   ',
      '()',
      '(',
      `(<${T1}>`,
      `<${T1}>`,
      `<http://www.example.com/a>`,
      `<http://www.example.com/a> ()`,
      `(<${T1}>) <http://www.example.com/a> (<${T1}>)`,
      `<http://www.example.com/a> (<${T1}>) (<${T1}>) (<${T2}>) ([x])`,
      `<http://www.example.com/a> (<${T1}>) x`,
      `(<${T1}>) x`,
      `(<>)`,
      `(<not a uri>)`,
      `(<relative/path>)`,
      `([abc])`,
      `(["abc)`,
      `(["abc")`,
      `(["a\u0001b"])`,
      `([w/"abc"])`,
      `(Not)`,
      `(Nothing <${T1}>)`,
      `(<${T1}> Not)`,
      `(<${T1}`,
      `<relative> (<${T1}>)`,
      `<http://www.example.com/a#frag> (<${T1}>)`,
      `</webdav/%2e%2e/x> (<${T1}>)`,
      `<http://www.example.com/a/../b> (<${T1}>)`,
      `[${T1}]`,
    ]) {
      assert400(bad);
    }
  });

  it('never throws anything but DavError 400 on random input', () => {
    const alphabet = fc.constantFrom(
      '(',
      ')',
      '<',
      '>',
      '[',
      ']',
      '"',
      'W/',
      'Not ',
      ' ',
      'urn:x',
      '/a',
      'http://www.example.com/b',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }), (parts) => {
        try {
          const lists = parseIfHeader(parts.join(''), req);
          assert.ok(lists.length > 0);
          for (const l of lists) assert.ok(l.conditions.length > 0);
        } catch (error) {
          assert.ok(error instanceof DavError);
          assert.equal(error.status, 400);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('round trip of generated headers', () => {
  it('parses what a well-behaved client would send', () => {
    const cond = fc.record({
      not: fc.boolean(),
      kind: fc.constantFrom('token' as const, 'etag' as const),
      value: fc.stringMatching(/^[a-z0-9-]{1,10}$/),
      weak: fc.boolean(),
    });
    const list = fc.array(cond, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(list, { minLength: 1, maxLength: 4 }),
        fc.option(fc.constantFrom('/a', '/b/c/', 'http://www.example.com/d')),
        (lists, tag) => {
          const conds = lists.map((l) =>
            l.map((c): IfCondition => ({
              not: c.not,
              kind: c.kind,
              value: c.kind === 'token' ? `urn:uuid:${c.value}` : `${c.weak ? 'W/' : ''}"${c.value}"`,
            })),
          );
          const text =
            (tag ? `<${tag}> ` : '') +
            conds
              .map(
                (l) =>
                  `(${l.map((c) => `${c.not ? 'Not ' : ''}${c.kind === 'token' ? `<${c.value}>` : `[${c.value}]`}`).join(' ')})`,
              )
              .join(' ');
          const parsed = parseIfHeader(text, req);
          assert.deepEqual(
            parsed.map((l) => l.conditions),
            conds,
          );
          for (const l of parsed) assert.equal(l.tag, tag ?? null);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('submittedLockTokens', () => {
  it('every token of a non-Not condition, once, not from foreign lists', () => {
    const lists = parseIfHeader(
      `</a> (<urn:1> Not <urn:2> ["e"]) (<urn:3>) </b> (<urn:1>) <http://other.example/c> (<urn:4>)`,
      req,
    );
    assert.deepEqual(submittedLockTokens(lists), ['urn:1', 'urn:3']);
    assert.deepEqual(submittedLockTokens(parseIfHeader('(Not <DAV:no-lock>)', req)), []);
    assert.deepEqual(submittedLockTokens(parseIfHeader('(<DAV:no-lock>)', req)), ['DAV:no-lock']);
    assert.deepEqual(submittedLockTokens([]), []);
  });
});

describe('evaluateIf', () => {
  const here = p('webdav', 'main', 'a.txt');
  const table = {
    '/webdav/main/a.txt': { etag: '"e1"', lockTokens: ['urn:lock:1'] },
    '/webdav/main': { etag: null, lockTokens: ['urn:lock:dir'] },
    '/webdav/main/weak': { etag: 'W/"w"', lockTokens: [] },
    '/webdav/main/bare': { etag: 'b', lockTokens: [] },
  };
  const evaluate = async (header: string, path = here) => {
    const { stateOf, calls } = states(table);
    const result = await evaluateIf(parseIfHeader(header, { host: 'localhost:8080' }), path, stateOf);
    return { result, calls };
  };

  it('token conditions', async () => {
    assert.equal((await evaluate('(<urn:lock:1>)')).result, true);
    assert.equal((await evaluate('(<urn:lock:2>)')).result, false);
    assert.equal((await evaluate('(Not <urn:lock:2>)')).result, true);
    assert.equal((await evaluate('(Not <urn:lock:1>)')).result, false);
  });

  it('etag conditions use the strong comparison', async () => {
    assert.equal((await evaluate('(["e1"])')).result, true);
    assert.equal((await evaluate('(["e2"])')).result, false);
    assert.equal((await evaluate('([W/"e1"])')).result, false);
    assert.equal((await evaluate('(Not ["e2"])')).result, true);
    assert.equal((await evaluate('([W/"w"])', p('webdav', 'main', 'weak'))).result, false);
    assert.equal((await evaluate('(["w"])', p('webdav', 'main', 'weak'))).result, false);
    assert.equal((await evaluate('(["b"])', p('webdav', 'main', 'bare'))).result, true);
  });

  it('an etag never matches a missing resource; Not of it does', async () => {
    const missing = p('webdav', 'main', 'nope');
    assert.equal((await evaluate('(["e1"])', missing)).result, false);
    assert.equal((await evaluate('(Not ["e1"])', missing)).result, true);
  });

  it('a list is the AND of its conditions, the header the OR of its lists', async () => {
    assert.equal((await evaluate('(<urn:lock:1> ["e1"])')).result, true);
    assert.equal((await evaluate('(<urn:lock:1> ["e2"])')).result, false);
    assert.equal((await evaluate('(<urn:lock:1> ["e2"]) (["e1"])')).result, true);
    assert.equal((await evaluate('(<urn:x> ["e2"]) (["e3"])')).result, false);
  });

  it('litmus locks: cond_put, fail_cond_put, cond_put_with_not, complex_cond_put', async () => {
    assert.equal((await evaluate('(<urn:lock:1> ["e1"])')).result, true);
    assert.equal((await evaluate('(<DAV:no-lock> ["e1"])')).result, false);
    assert.equal((await evaluate('(<urn:lock:1>) (Not <DAV:no-lock>)')).result, true);
    assert.equal((await evaluate('(<opaquelocktoken:foobar>) (Not <DAV:no-lock>)')).result, true);
    assert.equal((await evaluate('(<urn:lock:1> ["e1"]) (Not <DAV:no-lock> ["e1"])')).result, true);
    assert.equal((await evaluate('(<urn:lock:1> [W/"bogus"]) (Not <DAV:no-lock> [W/"bogus"])')).result, false);
  });

  it('tagged lists apply to their resource, trailing slash ignored', async () => {
    assert.equal((await evaluate('<http://localhost:8080/webdav/main/> (<urn:lock:dir>)')).result, true);
    assert.equal((await evaluate('</webdav/main> (<urn:lock:dir>)')).result, true);
    assert.equal((await evaluate('</webdav/main> (<urn:lock:1>)')).result, false);
    assert.equal((await evaluate('</webdav/main/a.txt/> (["e1"])')).result, true);
  });

  it('foreign lists are never true, even with Not', async () => {
    assert.equal((await evaluate('<http://other.example/webdav/main/a.txt> (Not <urn:none>)')).result, false);
    const r = await evaluate('<http://other.example/x> (Not <urn:none>) </webdav/main/a.txt> (["e1"])');
    assert.equal(r.result, true);
    assert.deepEqual(r.calls, ['/webdav/main/a.txt']);
  });

  it('asks for each resource once, lazily, and stops at the first true list', async () => {
    const twice = await evaluate('(["x"]) (["y"]) (["e1"]) (["never"])');
    assert.equal(twice.result, true);
    assert.deepEqual(twice.calls, ['/webdav/main/a.txt']);
    const tagged = await evaluate('</webdav/main> (["x"]) (["y"]) </webdav/main/a.txt> (["q"])');
    assert.equal(tagged.result, false);
    assert.deepEqual(tagged.calls, ['/webdav/main', '/webdav/main/a.txt']);
  });

  it('no lists → true', async () => {
    const lists: IfList[] = [];
    assert.equal(await evaluateIf(lists, here, async () => ({ etag: null, lockTokens: [] })), true);
  });
});

describe('strongEtagMatch', () => {
  it('RFC 9110 §8.8.3.2 table', () => {
    assert.equal(strongEtagMatch('W/"1"', 'W/"1"'), false);
    assert.equal(strongEtagMatch('W/"1"', 'W/"2"'), false);
    assert.equal(strongEtagMatch('W/"1"', '"1"'), false);
    assert.equal(strongEtagMatch('"1"', '"1"'), true);
    assert.equal(strongEtagMatch('"1"', '1'), true);
  });
});
