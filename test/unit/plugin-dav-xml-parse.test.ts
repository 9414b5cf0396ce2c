import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import {
  DAV_NS,
  MAX_XML_DEPTH,
  childElements,
  findChild,
  is,
  isElement,
  parseXml,
  textContent,
  type XmlElement,
  type XmlText,
} from '../../plugin/dav/xml/parse.js';
import { decodeBody, readXmlBody } from '../../plugin/dav/xml/request-body.js';
import { serializeElement } from '../../plugin/dav/xml/serialize.js';
import { XML_NS } from '../../plugin/dav/xml/namespaces.js';

function rejects400(text: string, pattern?: RegExp): void {
  assert.throws(
    () => parseXml(text),
    (error: unknown) => {
      assert.ok(
        error instanceof DavError,
        `expected DavError for ${JSON.stringify(text.slice(0, 60))}, got ${String(error)}`,
      );
      assert.equal(error.status, 400);
      if (pattern) assert.match(error.message, pattern);
      return true;
    },
  );
}

/** A plain-object view for deepEqual (scopes are null-prototype objects). */
function plain(node: XmlElement | XmlText): unknown {
  if (!isElement(node)) return { text: node.text };
  return {
    ns: node.ns,
    local: node.local,
    attributes: node.attributes.map((a) => ({ ...a })),
    scope: { ...node.scope },
    children: node.children.map(plain),
  };
}

/** Names, attributes and text only (no scopes). */
function names(node: XmlElement | XmlText): unknown {
  if (!isElement(node)) return node.text;
  return [node.ns, node.local, node.attributes.map((a) => [a.ns, a.local, a.value]), node.children.map(names)];
}

describe('parseXml: namespaces', () => {
  it('resolves prefixes and the default namespace', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><x:foo xmlns:x="http://ex/"/></D:prop></D:propfind>',
    );
    assert.ok(is(root, DAV_NS, 'propfind'));
    const prop = childElements(root)[0]!;
    assert.ok(is(prop, 'DAV:', 'prop'));
    const [etag, foo] = childElements(prop);
    assert.ok(is(etag!, DAV_NS, 'getetag'));
    assert.ok(is(foo!, 'http://ex/', 'foo'));
    assert.deepEqual({ ...foo!.scope }, { D: 'DAV:', x: 'http://ex/' });
    assert.deepEqual({ ...root.scope }, { D: 'DAV:' });
  });

  it('same element, any prefix: compared by (namespace, local name)', () => {
    const a = parseXml('<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>');
    const b = parseXml('<propfind xmlns="DAV:"><allprop/></propfind>');
    const c = parseXml('<lol:propfind xmlns:lol="DAV:"><lol:allprop/></lol:propfind>');
    for (const x of [a, b, c]) {
      assert.ok(is(x, DAV_NS, 'propfind'));
      assert.ok(is(childElements(x)[0]!, DAV_NS, 'allprop'));
    }
  });

  it('the default namespace can be undeclared; unprefixed attributes have no namespace', () => {
    const root = parseXml('<a xmlns="urn:a" x="1"><b xmlns=""><c/></b><d/></a>');
    assert.equal(root.ns, 'urn:a');
    assert.deepEqual(root.attributes, [{ ns: '', local: 'x', value: '1' }]);
    const [b, d] = childElements(root);
    assert.equal(b!.ns, '');
    assert.equal(childElements(b!)[0]!.ns, '');
    assert.ok(!('' in b!.scope));
    assert.equal(d!.ns, 'urn:a');
  });

  it('no namespace at all', () => {
    const root = parseXml('<a><b/></a>');
    assert.equal(root.ns, '');
    assert.equal(childElements(root)[0]!.ns, '');
    assert.deepEqual(Object.keys(root.scope), []);
  });

  it('prefixed attributes and xml:lang', () => {
    const root = parseXml('<a xmlns:p="urn:p" p:x="1" xml:lang="de" y="2"/>');
    assert.deepEqual(root.attributes, [
      { ns: 'urn:p', local: 'x', value: '1' },
      { ns: XML_NS, local: 'lang', value: 'de' },
      { ns: '', local: 'y', value: '2' },
    ]);
  });

  it('redeclaring a prefix shadows it for the subtree', () => {
    const root = parseXml('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>');
    const [b, c] = childElements(root);
    assert.equal(root.ns, 'urn:1');
    assert.equal(b!.ns, 'urn:2');
    assert.equal(c!.ns, 'urn:1');
  });

  it('a prefix called __proto__ is just a prefix', () => {
    const root = parseXml('<__proto__:a xmlns:__proto__="urn:x"/>');
    assert.equal(root.ns, 'urn:x');
    assert.equal(root.scope['__proto__'], 'urn:x');
  });

  it('undeclared prefix → 400', () => {
    rejects400('<D:propfind/>', /undeclared namespace prefix "D"/);
    rejects400('<D:propfind xmlns:D="DAV:"><x:prop/></D:propfind>', /undeclared/);
    rejects400('<a x:y="1"/>', /undeclared/);
    // declared on a sibling only
    rejects400('<a><b xmlns:p="urn:p"/><p:c/></a>', /undeclared/);
  });

  it('empty prefixed binding → 400 (litmus propfind_invalid2: xmlns:bar="")', () => {
    rejects400(
      '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>',
      /empty namespace binding/,
    );
    rejects400('<a xmlns:bar=""/>', /empty namespace binding/);
  });

  it('reserved prefixes and malformed qualified names → 400', () => {
    rejects400('<a xmlns:xmlns="urn:x"/>');
    rejects400('<a xmlns:xml="urn:x"/>');
    rejects400('<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>');
    rejects400('<a xmlns="http://www.w3.org/2000/xmlns/"/>');
    rejects400('<xmlns:a/>');
    rejects400('<a:b:c xmlns:a="urn:a"/>', /qualified name/);
    rejects400('<a xmlns:p="urn:p" p:b:c="1"/>', /qualified name/);
    rejects400('<a xmlns:="urn:a"/>');
    // binding xml to its own namespace is allowed
    assert.equal(parseXml('<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>').local, 'a');
  });

  it('the same expanded attribute name twice → 400', () => {
    rejects400('<a xmlns:p="urn:x" xmlns:q="urn:x" p:n="1" q:n="2"/>', /duplicate attribute/);
  });
});

describe('parseXml: well-formedness', () => {
  it('malformed documents → 400', () => {
    for (const bad of [
      '',
      '   ',
      'text',
      '<a>',
      '<a><b></a>',
      '<a></b>',
      '<a></A>',
      '<a',
      '<a x="1>',
      '<a x=1/>',
      '<a x/>',
      '<a/><b/>',
      '<a/>text',
      'text<a/>',
      '<a><</a>',
      '<a>&</a>',
      '<a>&foo;</a>',
      '<a>&#0;</a>',
      '<a>&#1;</a>',
      '<a>&#xD800;</a>',
      '<a>&#x110000;</a>',
      '<a>\u0001</a>',
      '<a>\u0000</a>',
      '<a>\uFFFE</a>',
      '<a>\uD800</a>',
      '<a x="\u0002"/>',
      '<a><!-- never closed </a>',
      '<a><![CDATA[ never closed </a>',
      '<1a/>',
      '<a -b="1"/>',
    ]) {
      rejects400(bad);
    }
  });

  it('character and entity references', () => {
    const root = parseXml(
      '<a x="&lt;&amp;&quot;&apos;&#9;&#10;&#x1F4F7;">&lt;&gt;&amp;&quot;&apos;&#233;&#x1F600;&#13;</a>',
    );
    assert.equal(root.attributes[0]!.value, '<&"\'\t\n📷');
    assert.equal(textContent(root), '<>&"\'é😀\r');
  });

  it('line ends are normalised to LF; &#13; stays CR', () => {
    assert.equal(textContent(parseXml('<a>1\r\n2\r3\n4&#13;&#10;</a>')), '1\n2\n3\n4\r\n');
  });

  it('keeps whitespace text, merges CDATA and text, drops comments and PIs', () => {
    const root = parseXml('<a> <b/> x<!-- c -->y<![CDATA[<z>]]>&amp; <?pi data?></a>');
    assert.deepEqual(
      root.children.map((c) => (isElement(c) ? `<${c.local}>` : c.text)),
      [' ', '<b>', ' xy<z>& '],
    );
    assert.equal(childElements(root).length, 1);
  });

  it('a BOM and a leading XML declaration are fine', () => {
    assert.equal(parseXml('\uFEFF<?xml version="1.0"?>\n<a/>').local, 'a');
  });

  it('non-ASCII names and text', () => {
    const root = parseXml('<é xmlns="urn:ü">Mädchen 📷</é>');
    assert.equal(root.local, 'é');
    assert.equal(root.ns, 'urn:ü');
    assert.equal(textContent(root), 'Mädchen 📷');
  });
});

describe('parseXml: DTDs are refused (400)', () => {
  it('DOCTYPE', () => {
    rejects400('<!DOCTYPE a><a/>', /DTD/);
    rejects400('<!doctype a><a/>', /DTD/);
    rejects400('<?xml version="1.0"?>\n<!DOCTYPE propfind SYSTEM "http://evil/x.dtd"><propfind xmlns="DAV:"/>', /DTD/);
  });

  it('XXE', () => {
    rejects400(
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><x>&xxe;</x></D:prop></D:propfind>',
      /DTD/,
    );
  });

  it('billion laughs', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
      ' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    rejects400(lol, /DTD/);
  });

  it('stray markup declarations anywhere', () => {
    rejects400('<a><!ENTITY x "y"></a>', /DTD/);
    rejects400('<a/><!DOCTYPE a>');
    rejects400('<a><!ELEMENT a ANY></a>', /DTD/);
  });

  it('"<!" inside comments and CDATA is text, not a declaration', () => {
    assert.equal(textContent(parseXml('<a><!-- <!DOCTYPE x> --><![CDATA[<!ENTITY y>]]></a>')), '<!ENTITY y>');
  });
});

describe('parseXml: nesting', () => {
  const nested = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);

  it(`accepts ${MAX_XML_DEPTH} levels`, () => {
    let el = parseXml(nested(MAX_XML_DEPTH));
    let depth = 1;
    while (childElements(el).length) {
      el = childElements(el)[0]!;
      depth++;
    }
    assert.equal(depth, MAX_XML_DEPTH);
  });

  it(`refuses ${MAX_XML_DEPTH + 1} levels`, () => {
    rejects400(nested(MAX_XML_DEPTH + 1), /nested/);
  });

  it('refuses a megabyte of nesting quickly', () => {
    const started = Date.now();
    rejects400(nested(100_000));
    assert.ok(Date.now() - started < 5000);
  });

  it('parses a wide document (10,000 properties)', () => {
    const props = Array.from({ length: 10_000 }, (_, i) => `<x:p${i}>v${i}</x:p${i}>`).join('');
    const root = parseXml(
      `<D:propertyupdate xmlns:D="DAV:" xmlns:x="urn:x"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`,
    );
    const prop = findChild(findChild(root, DAV_NS, 'set')!, DAV_NS, 'prop')!;
    assert.equal(childElements(prop).length, 10_000);
    // children share the parent's scope object when they declare nothing
    assert.equal(childElements(prop)[0]!.scope, root.scope);
  });
});

describe('parseXml: never throws anything but DavError 400', () => {
  it('on random markup', () => {
    const piece = fc.constantFrom(
      '<a>',
      '</a>',
      '<b/>',
      '<p:c xmlns:p="urn:p">',
      '</p:c>',
      '<q:d>',
      'text',
      '&amp;',
      '&bad;',
      '<![CDATA[x]]>',
      '<!--c-->',
      '<!DOCTYPE x>',
      ' x="1"',
      '"',
      '<',
      '>',
      'xmlns:e=""',
      '\u0001',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        try {
          parseXml(pieces.join(''));
        } catch (error) {
          assert.ok(error instanceof DavError, String(error));
          assert.equal(error.status, 400);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('serializeElement', () => {
  const roundTrip = (xml: string): string => {
    const el = parseXml(xml);
    const out = serializeElement(el);
    assert.deepEqual(plain(parseXml(out)), plain(el), out);
    return out;
  };

  it('litmus propvalnspace: a dead property whose value has elements in other namespaces', () => {
    const doc = parseXml(
      "<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate xmlns='DAV:'><set><prop><t:valnspace xmlns:t='http://example.com/neon/litmus/'><foo xmlns='http://bar'/></t:valnspace></prop></set></propertyupdate>",
    );
    const prop = childElements(childElements(childElements(doc)[0]!)[0]!)[0]!;
    assert.ok(is(prop, 'http://example.com/neon/litmus/', 'valnspace'));
    const xml = serializeElement(prop);
    const back = parseXml(xml);
    assert.deepEqual(plain(back), plain(prop));
    const foo = childElements(back)[0]!;
    assert.ok(is(foo, 'http://bar', 'foo'));
    // Embedded anywhere (here under a default namespace and a clashing prefix), it means the same.
    const embedded = parseXml(`<D:prop xmlns:D="DAV:" xmlns="urn:other" xmlns:t="urn:clash">${xml}</D:prop>`);
    assert.deepEqual(names(childElements(embedded)[0]!), names(back));
  });

  it('a property without a namespace keeps meaning no-namespace when embedded (litmus propnullns)', () => {
    const el = parseXml('<nonamespace xmlns="">randomvalue</nonamespace>');
    const xml = serializeElement(el);
    assert.equal(xml, '<nonamespace xmlns="">randomvalue</nonamespace>');
    const embedded = parseXml(`<D:prop xmlns:D="DAV:" xmlns="urn:other">${xml}</D:prop>`);
    assert.equal(childElements(embedded)[0]!.ns, '');
  });

  it('round-trips the litmus props values', () => {
    roundTrip('<t:prop0 xmlns:t="http://example.com/neon/litmus/">value0</t:prop0>');
    roundTrip('<t:high-unicode xmlns:t="http://example.com/neon/litmus/">\u{10000}</t:high-unicode>');
    roundTrip('<t:removeset xmlns:t="http://example.com/neon/litmus/">x</t:removeset>');
    roundTrip('<t:valnspace xmlns:t="http://example.com/neon/litmus/"><foo xmlns="http://bar"></foo></t:valnspace>');
  });

  it('round-trips Windows Explorer properties', () => {
    const out = roundTrip(
      '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>Mon, 01 Jan 2024 10:00:00 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>',
    );
    assert.match(out, /xmlns:Z="urn:schemas-microsoft-com:"/);
  });

  it('round-trips mixed content, attributes and escapes', () => {
    roundTrip(
      '<a xmlns:p="urn:p" p:x="&lt;&amp;&quot;&apos;&#9;&#10;&#13;" y="&gt;">a &lt; b &amp;&amp; c &gt; d<b/>\n  <p:c>&#13;x</p:c>tail</a>',
    );
    roundTrip('<a xml:lang="de" xml:space="preserve">  </a>');
    roundTrip('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/></p:a>');
    roundTrip('<a xmlns="urn:a"><b xmlns=""><c xmlns="urn:c"/></b></a>');
    roundTrip('<a xmlns:p="urn:&quot;&amp;&lt;"><p:b/></a>');
    roundTrip('<a xmlns:p="urn:p" xmlns:q="urn:p"><q:b p:x="1"/></a>');
  });

  it('keeps in-scope declarations (QNames in content still resolve)', () => {
    const el = childElements(
      parseXml('<r xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t"><t:v>xs:string</t:v></r>'),
    )[0]!;
    const back = parseXml(serializeElement(el));
    assert.equal(back.scope['xs'], 'http://www.w3.org/2001/XMLSchema');
  });

  it('is self-contained even for hand-built elements (missing or clashing prefixes)', () => {
    const el: XmlElement = {
      ns: 'urn:a',
      local: 'a',
      attributes: [
        { ns: 'urn:b', local: 'x', value: '1' },
        { ns: '', local: 'y', value: '2' },
        { ns: XML_NS, local: 'lang', value: 'en' },
      ],
      scope: {},
      children: [
        { ns: '', local: 'n', attributes: [], scope: {}, children: [{ text: 'a&b' }] },
        {
          ns: 'urn:c',
          local: 'c',
          attributes: [{ ns: 'urn:a', local: 'z', value: '3' }],
          scope: { '': 'urn:zzz' },
          children: [],
        },
      ],
    };
    const xml = serializeElement(el);
    const back = parseXml(xml);
    assert.equal(back.ns, 'urn:a');
    assert.deepEqual(
      back.attributes.map((a) => [a.ns, a.local, a.value]),
      [
        ['urn:b', 'x', '1'],
        ['', 'y', '2'],
        [XML_NS, 'lang', 'en'],
      ],
    );
    const [n, c] = childElements(back);
    assert.equal(n!.ns, '');
    assert.equal(textContent(n!), 'a&b');
    assert.equal(c!.ns, 'urn:c');
    assert.deepEqual(
      c!.attributes.map((a) => [a.ns, a.local]),
      [['urn:a', 'z']],
    );
  });

  it('replaces characters XML cannot carry', () => {
    const el: XmlElement = { ns: '', local: 'a', attributes: [], scope: {}, children: [{ text: 'x\u0001y\uFFFF' }] };
    assert.equal(textContent(parseXml(serializeElement(el))), 'x\uFFFDy\uFFFD');
  });

  it('refuses to write an invalid element name (programming error)', () => {
    const el: XmlElement = { ns: '', local: 'a b', attributes: [], scope: {}, children: [] };
    assert.throws(() => serializeElement(el), /local name/);
  });

  it('property: parse(serialize(x)) equals x for random trees', () => {
    const uris = fc.constantFrom('urn:a', 'urn:b', 'DAV:', 'http://ex/&"<>', '');
    const prefixes = fc.constantFrom('a', 'b', 'D', 'ns1', '');
    const names = fc.constantFrom('x', 'y', 'prop', 'é', 'a-b.c_d');
    const texts = fc.oneof(
      fc.string({
        unit: fc.constantFrom('a', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\r', 'é', '📷', ']]>', '\u2028'),
        maxLength: 8,
      }),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    type Spec = {
      decls: [string, string][];
      prefix: string;
      local: string;
      attrs: [string, string, string][];
      kids: (Spec | string)[];
    };
    const tree = fc.letrec<{ node: Spec }>((tie) => ({
      node: fc.record({
        decls: fc.array(fc.tuple(prefixes, uris), { maxLength: 3 }),
        prefix: prefixes,
        local: names,
        attrs: fc.array(fc.tuple(prefixes, names, texts), { maxLength: 2 }),
        kids: fc.array(fc.oneof({ depthSize: 'small' }, texts, tie('node')), { maxLength: 3 }),
      }),
    })).node;
    const esc = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/\r/g, '&#13;')
        .replace(/\t/g, '&#9;')
        .replace(/\n/g, '&#10;');
    const rootDecls: [string, string][] = [
      ['a', 'urn:a'],
      ['b', 'urn:b'],
      ['D', 'DAV:'],
      ['ns1', 'urn:n'],
    ];
    const toXml = (s: Spec, root = true): string => {
      // The root declares every prefix (mostly); inner elements may redeclare or undeclare.
      const decls = new Map(root && s.local !== 'x' ? [...rootDecls, ...s.decls] : s.decls);
      const d = [...decls].map(([p, u]) => ` ${p ? `xmlns:${p}` : 'xmlns'}="${esc(u)}"`).join('');
      const a = s.attrs.map(([p, n, v]) => ` ${p ? `${p}:` : ''}${n}="${esc(v)}"`).join('');
      const name = `${s.prefix ? `${s.prefix}:` : ''}${s.local}`;
      return `<${name}${d}${a}>${s.kids.map((k) => (typeof k === 'string' ? esc(k) : toXml(k, false))).join('')}</${name}>`;
    };
    let parsed = 0;
    fc.assert(
      fc.property(tree, (spec) => {
        let el: XmlElement;
        try {
          el = parseXml(toXml(spec));
        } catch (error) {
          assert.ok(error instanceof DavError && error.status === 400, String(error));
          return; // undeclared prefixes, xmlns:p="", duplicate attributes, illegal characters
        }
        parsed++;
        const xml = serializeElement(el);
        assert.deepEqual(plain(parseXml(xml)), plain(el), xml);
        // and it is stable
        assert.equal(serializeElement(parseXml(xml)), xml);
      }),
      { numRuns: 3000 },
    );
    assert.ok(parsed > 1000, `only ${parsed} trees were valid XML`);
  });
});

describe('childElements / textContent / findChild', () => {
  it('skip text, concatenate descendants', () => {
    const root = parseXml('<a> x <b>y<c>z</c></b> w </a>');
    assert.deepEqual(
      childElements(root).map((c) => c.local),
      ['b'],
    );
    assert.equal(textContent(root), ' x yz w ');
    assert.equal(findChild(root, '', 'b')?.local, 'b');
    assert.equal(findChild(root, 'urn:x', 'b'), undefined);
  });
});

// ---------------------------------------------------------------- readXmlBody

function fakeRequest(headers: Record<string, string>, chunks: (string | Buffer)[], options: { abort?: boolean } = {}) {
  const stream = new PassThrough();
  const req = Object.assign(stream, { headers }) as unknown as http.IncomingMessage;
  let reads = 0;
  setImmediate(() => {
    for (const chunk of chunks) {
      reads++;
      stream.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    if (options.abort) stream.destroy();
    else stream.end();
  });
  return { req, reads: () => reads };
}

async function rejectsWith(promise: Promise<unknown>, status: number, pattern?: RegExp): Promise<DavError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DavError, String(error));
    assert.equal(error.status, status, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a rejection');
}

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

describe('readXmlBody', () => {
  it('reads and parses a body', async () => {
    const { req } = fakeRequest({ 'content-type': 'application/xml', 'content-length': String(PROPFIND.length) }, [
      PROPFIND,
    ]);
    const root = await readXmlBody(req);
    assert.ok(root && is(root, DAV_NS, 'propfind'));
  });

  it('accepts text/xml with charset, +xml types, and no Content-Type', async () => {
    for (const type of [
      'text/xml; charset="utf-8"',
      'Application/XML;charset=UTF-8',
      'application/vnd.x+xml',
      undefined,
    ]) {
      const headers: Record<string, string> = { 'transfer-encoding': 'chunked' };
      if (type) headers['content-type'] = type;
      const root = await readXmlBody(fakeRequest(headers, [PROPFIND.slice(0, 10), PROPFIND.slice(10)]).req);
      assert.ok(root && is(root, DAV_NS, 'propfind'), String(type));
    }
  });

  it('empty bodies → null', async () => {
    assert.equal(await readXmlBody(fakeRequest({ 'content-length': '0' }, []).req), null);
    assert.equal(await readXmlBody(fakeRequest({ 'content-length': '0', 'content-type': 'text/plain' }, []).req), null);
    assert.equal(await readXmlBody(fakeRequest({ 'transfer-encoding': 'chunked' }, []).req), null);
    assert.equal(
      await readXmlBody(fakeRequest({ 'transfer-encoding': 'chunked', 'content-type': 'text/plain' }, []).req),
      null,
    );
    assert.equal(await readXmlBody(fakeRequest({}, []).req), null);
    assert.equal(await readXmlBody(fakeRequest({ 'content-length': '3' }, ['\r\n ']).req), null);
  });

  it('multi-byte characters split across chunks', async () => {
    const body = Buffer.from('<a>Mädchen 📷</a>');
    const chunks = [...body].map((b) => Buffer.from([b]));
    const root = await readXmlBody(fakeRequest({ 'transfer-encoding': 'chunked' }, chunks).req);
    assert.equal(textContent(root!), 'Mädchen 📷');
  });

  it('too large by Content-Length → 413 before reading, with Connection: close', async () => {
    const fake = fakeRequest({ 'content-length': String(2 * 1024 * 1024) }, []);
    const error = await rejectsWith(readXmlBody(fake.req), 413);
    assert.equal(error.headers['Connection'], 'close');
    assert.equal(fake.req.listenerCount('data'), 0);
  });

  it('too large while streaming → 413, stops reading', async () => {
    const chunk = Buffer.alloc(1000, 0x20);
    const fake = fakeRequest({ 'transfer-encoding': 'chunked' }, Array(20).fill(chunk));
    const error = await rejectsWith(readXmlBody(fake.req, { maxBytes: 5000 }), 413);
    assert.equal(error.headers['Connection'], 'close');
  });

  it('exactly maxBytes is fine', async () => {
    const body = `<a>${' '.repeat(93)}</a>`;
    assert.equal(body.length, 100);
    const root = await readXmlBody(fakeRequest({ 'content-length': '100' }, [body]).req, { maxBytes: 100 });
    assert.equal(root?.local, 'a');
  });

  it('the Content-Type label does not matter: XML is read whatever clients call it', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const root = await readXmlBody(fakeRequest({ 'content-type': type, 'content-length': '4' }, ['<a/>']).req);
      assert.equal(root?.local, 'a', type);
    }
    await rejectsWith(
      readXmlBody(fakeRequest({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, ['{"a":1}']).req),
      400,
    );
  });

  it('an ISO-8859-1 body is decoded as such', async () => {
    const body = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xe4]), Buffer.from('</a>')]);
    const root = await readXmlBody(
      fakeRequest({ 'content-type': 'text/xml; charset=iso-8859-1', 'content-length': String(body.length) }, [body])
        .req,
    );
    assert.equal(root && textContent(root), 'ä');
  });

  it('an unsupported charset → 415', async () => {
    await rejectsWith(
      readXmlBody(fakeRequest({ 'content-type': 'text/xml; charset=koi8-r', 'content-length': '4' }, ['<a/>']).req),
      415,
    );
  });

  it('invalid UTF-8 → 400', async () => {
    const body = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xe4]), Buffer.from('</a>')]);
    await rejectsWith(readXmlBody(fakeRequest({ 'content-length': String(body.length) }, [body]).req), 400, /UTF-8/);
    const overlong = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xc0, 0xae]), Buffer.from('</a>')]);
    await rejectsWith(
      readXmlBody(fakeRequest({ 'content-length': String(overlong.length) }, [overlong]).req),
      400,
      /UTF-8/,
    );
  });

  it('malformed XML and DTDs → 400', async () => {
    await rejectsWith(readXmlBody(fakeRequest({ 'content-length': '3' }, ['<a>']).req), 400);
    const dtd = '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>';
    await rejectsWith(readXmlBody(fakeRequest({ 'content-length': String(dtd.length) }, [dtd]).req), 400, /DTD/);
  });

  it('a client abort → 400', async () => {
    await rejectsWith(
      readXmlBody(fakeRequest({ 'transfer-encoding': 'chunked' }, ['<a>'], { abort: true }).req),
      400,
      /abort/,
    );
  });

  it('UTF-8 BOM, UTF-16 LE and BE with BOM', async () => {
    const text = '<a>Mädchen 📷</a>';
    const bodies = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ];
    for (const body of bodies) {
      const root = await readXmlBody(
        fakeRequest({ 'content-length': String(body.length), 'content-type': 'text/xml' }, [body]).req,
      );
      assert.equal(textContent(root!), 'Mädchen 📷');
    }
  });

  it('through a real HTTP server: 413 answers at once and closes the connection', async () => {
    const server = http.createServer((req, res) => {
      readXmlBody(req, { maxBytes: 1024 }).then(
        (root) => res.end(root ? root.local : 'empty'),
        (error: DavError) => {
          res.writeHead(error.status, { ...error.headers });
          res.end(error.message);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const send = (headers: Record<string, string>, chunks: string[], keepOpen = false) =>
        new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
          const req = http.request(
            { port, host: '127.0.0.1', method: 'PROPFIND', path: '/', headers, agent: false },
            (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (body += d));
              res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
            },
          );
          req.on('error', reject);
          for (const c of chunks) req.write(c);
          if (!keepOpen) req.end();
        });
      assert.deepEqual(await send({ 'content-type': 'application/xml' }, ['<D:propfind xmlns:D="DAV:"/>']), {
        status: 200,
        body: 'propfind',
        connection: 'close',
      });
      const big = await send({ 'content-type': 'application/xml' }, ['<a>', ' '.repeat(4096)], true);
      assert.equal(big.status, 413);
      assert.equal(big.connection, 'close');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('decodeBody', () => {
  it('honours the charset parameter for UTF-16 without BOM', () => {
    assert.equal(decodeBody(Buffer.from('<a/>', 'utf16le'), 'utf-16le'), '<a/>');
    assert.equal(decodeBody(Buffer.from('<a/>', 'utf16le').swap16(), 'utf-16be'), '<a/>');
    assert.equal(decodeBody(Buffer.from('<a/>', 'utf16le').swap16(), 'utf-16'), '<a/>');
  });
  it('odd-length UTF-16 → 400', () => {
    assert.throws(
      () => decodeBody(Buffer.from([0xff, 0xfe, 0x3c]), 'utf-8'),
      (e: unknown) => e instanceof DavError && e.status === 400,
    );
  });
});
