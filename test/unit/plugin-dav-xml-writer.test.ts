import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeHref } from '../../plugin/dav/paths.js';
import { DAV_NS, childElements, is, parseXml, textContent } from '../../plugin/dav/xml/parse.js';
import { serializeElement } from '../../plugin/dav/xml/serialize.js';
import {
  MultistatusWriter,
  errorBody,
  escapeAttr,
  escapeText,
  propXml,
  reasonPhrase,
  responseXml,
  statusLine,
} from '../../plugin/dav/xml/writer.js';

class CollectingSink {
  chunks: (string | Uint8Array)[] = [];
  write(chunk: string | Uint8Array): void {
    this.chunks.push(chunk);
  }
  get text(): string {
    return this.chunks.map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())).join('');
  }
}

describe('escapeText', () => {
  it('escapes markup characters', () => {
    assert.equal(escapeText('a & b < c > d'), 'a &amp; b &lt; c &gt; d');
    assert.equal(escapeText('"quotes" \'stay\''), '"quotes" \'stay\'');
    assert.equal(escapeText('&amp;'), '&amp;amp;');
    assert.equal(escapeText(']]>'), ']]&gt;');
    assert.equal(escapeText('plain Mädchen 📷'), 'plain Mädchen 📷');
  });

  it('keeps tab and LF, writes CR as a reference', () => {
    assert.equal(escapeText('a\tb\nc\rd'), 'a\tb\nc&#13;d');
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD', () => {
    assert.equal(escapeText('a\u0000b\u0001c\u001fd\u000be\u000cf'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf');
    assert.equal(escapeText('\uFFFE\uFFFF'), '\uFFFD\uFFFD');
    assert.equal(escapeText('x\uD800y\uDC00z'), 'x\uFFFDy\uFFFDz');
    assert.equal(escapeText('\uD83D\uDCF7'), '📷');
  });

  it('whatever the string, the escaped text parses back to it (illegal characters replaced)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const expected = s.replace(
          // eslint-disable-next-line no-control-regex
          /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
          '\uFFFD',
        );
        assert.equal(textContent(parseXml(`<a>${escapeText(s)}</a>`)), expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('escapeAttr', () => {
  it('escapes for either quote style and keeps whitespace', () => {
    assert.equal(escapeAttr(`a&b<c>d"e'f\tg\nh\ri`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i');
    assert.equal(escapeAttr('plain'), 'plain');
    assert.equal(escapeAttr('\u0001'), '\uFFFD');
  });

  it('round-trips through the parser in both quote styles', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const expected = s.replace(
          // eslint-disable-next-line no-control-regex
          /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
          '\uFFFD',
        );
        assert.equal(parseXml(`<a x="${escapeAttr(s)}"/>`).attributes[0]!.value, expected);
        assert.equal(parseXml(`<a x='${escapeAttr(s)}'/>`).attributes[0]!.value, expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('propXml', () => {
  it('DAV: properties use the D: prefix', () => {
    assert.equal(propXml(DAV_NS, 'getetag'), '<D:getetag/>');
    assert.equal(propXml(DAV_NS, 'getetag', ''), '<D:getetag/>');
    assert.equal(propXml(DAV_NS, 'getetag', '&quot;x&quot;'), '<D:getetag>&quot;x&quot;</D:getetag>');
    assert.equal(
      propXml(DAV_NS, 'resourcetype', '<D:collection/>'),
      '<D:resourcetype><D:collection/></D:resourcetype>',
    );
  });

  it('other namespaces are declared inline', () => {
    assert.equal(
      propXml('urn:schemas-microsoft-com:', 'Win32CreationTime'),
      '<x:Win32CreationTime xmlns:x="urn:schemas-microsoft-com:"/>',
    );
    assert.equal(propXml('http://ex/', 'foo', 'bar'), '<x:foo xmlns:x="http://ex/">bar</x:foo>');
    assert.equal(propXml('urn:"&<', 'foo'), '<x:foo xmlns:x="urn:&quot;&amp;&lt;"/>');
  });

  it('the empty namespace undeclares the default', () => {
    assert.equal(propXml('', 'nonamespace', 'v'), '<nonamespace xmlns="">v</nonamespace>');
  });

  it('each form parses to the right (namespace, name) inside a multistatus-like root', () => {
    for (const [ns, local] of [
      [DAV_NS, 'displayname'],
      ['urn:schemas-microsoft-com:', 'Win32FileAttributes'],
      ['', 'plain'],
      ['http://example.com/neon/litmus/', 'prop0'],
    ] as const) {
      const root = parseXml(`<D:prop xmlns:D="DAV:" xmlns="urn:default">${propXml(ns, local, 'x')}</D:prop>`);
      const el = childElements(root)[0]!;
      assert.ok(is(el, ns, local), `${ns} ${local}`);
      assert.equal(textContent(el), 'x');
    }
  });

  it('refuses names that would break the document', () => {
    assert.throws(() => propXml('urn:x', 'a b'));
    assert.throws(() => propXml('urn:x', 'a:b'));
    assert.throws(() => propXml('urn:x', '<a'));
    assert.throws(() => propXml('urn:x', ''));
  });
});

describe('statusLine / reasonPhrase', () => {
  it('standard reason phrases, WebDAV included', () => {
    assert.equal(statusLine(200), 'HTTP/1.1 200 OK');
    assert.equal(statusLine(207), 'HTTP/1.1 207 Multi-Status');
    assert.equal(statusLine(404), 'HTTP/1.1 404 Not Found');
    assert.equal(statusLine(409), 'HTTP/1.1 409 Conflict');
    assert.equal(statusLine(412), 'HTTP/1.1 412 Precondition Failed');
    assert.equal(statusLine(422), 'HTTP/1.1 422 Unprocessable Content');
    assert.equal(statusLine(423), 'HTTP/1.1 423 Locked');
    assert.equal(statusLine(424), 'HTTP/1.1 424 Failed Dependency');
    assert.equal(statusLine(507), 'HTTP/1.1 507 Insufficient Storage');
    assert.equal(reasonPhrase(599), 'Unknown');
  });
  it('refuses non-status numbers', () => {
    assert.throws(() => statusLine(42));
    assert.throws(() => statusLine(200.5));
  });
});

describe('errorBody', () => {
  it('names the condition', () => {
    const body = errorBody('propfind-finite-depth');
    assert.match(
      body,
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth\/><\/D:error>/,
    );
    const root = parseXml(body);
    assert.ok(is(root, DAV_NS, 'error'));
    assert.ok(is(childElements(root)[0]!, DAV_NS, 'propfind-finite-depth'));
  });

  it('with inner XML (lock-token-submitted hrefs)', () => {
    const body = errorBody(
      'lock-token-submitted',
      `<D:href>${escapeText(encodeHref(['webdav', 'a&b'], false))}</D:href>`,
    );
    const cond = childElements(parseXml(body))[0]!;
    assert.ok(is(cond, DAV_NS, 'lock-token-submitted'));
    assert.equal(textContent(childElements(cond)[0]!), '/webdav/a%26b');
  });
});

describe('MultistatusWriter', () => {
  it('writes a multistatus that parses, response by response', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink, { bufferSize: 0 });
    await w.begin();
    await w.propResponse(encodeHref(['webdav', 'main'], true), [
      { status: 200, props: [propXml(DAV_NS, 'resourcetype', '<D:collection/>'), propXml('urn:x', 'p', 'v')] },
      { status: 404, props: [propXml(DAV_NS, 'getcontentlength')] },
    ]);
    await w.propResponse('/webdav/main/a&b%20c.txt', [
      { status: 200, props: [propXml(DAV_NS, 'getcontentlength', '5')], description: 'all <good>' },
      { status: 404, props: [] },
    ]);
    await w.statusResponse('/webdav/main/locked', 423, {
      errorCondition: 'lock-token-submitted',
      description: 'locked & loaded',
    });
    await w.statusResponse('/webdav/main/gone', 404);
    await w.end();

    assert.equal(sink.chunks.length, 6, 'one chunk per call');
    assert.equal(sink.chunks[0], '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">');
    assert.equal(sink.chunks[5], '</D:multistatus>\n');

    const root = parseXml(sink.text);
    assert.ok(is(root, DAV_NS, 'multistatus'));
    const responses = childElements(root);
    assert.equal(responses.length, 4);
    const [first, second, third, fourth] = responses;

    const firstParts = childElements(first!);
    assert.deepEqual(
      firstParts.map((e) => e.local),
      ['href', 'propstat', 'propstat'],
    );
    assert.equal(textContent(firstParts[0]!), '/webdav/main/');
    const [ok, missing] = firstParts.slice(1);
    assert.deepEqual(
      childElements(ok!).map((e) => e.local),
      ['prop', 'status'],
    );
    assert.deepEqual(
      childElements(childElements(ok!)[0]!).map((e) => [e.ns, e.local]),
      [
        [DAV_NS, 'resourcetype'],
        ['urn:x', 'p'],
      ],
    );
    assert.equal(textContent(childElements(ok!)[1]!), 'HTTP/1.1 200 OK');
    assert.equal(textContent(childElements(missing!)[1]!), 'HTTP/1.1 404 Not Found');

    const secondParts = childElements(second!);
    assert.equal(textContent(secondParts[0]!), '/webdav/main/a&b%20c.txt');
    assert.equal(secondParts.length, 2, 'the empty 404 propstat is left out');
    assert.deepEqual(
      childElements(secondParts[1]!).map((e) => e.local),
      ['prop', 'status', 'responsedescription'],
    );
    assert.equal(textContent(childElements(secondParts[1]!)[2]!), 'all <good>');

    assert.deepEqual(
      childElements(third!).map((e) => e.local),
      ['href', 'status', 'error', 'responsedescription'],
    );
    const error = childElements(third!)[2]!;
    assert.ok(is(childElements(error)[0]!, DAV_NS, 'lock-token-submitted'));
    assert.equal(textContent(childElements(third!)[1]!), 'HTTP/1.1 423 Locked');

    assert.deepEqual(
      childElements(fourth!).map((e) => e.local),
      ['href', 'status'],
    );
  });

  it('a response whose propstats are all empty still has one propstat', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    await w.propResponse('/x', [{ status: 200, props: [] }]);
    await w.end();
    const response = childElements(parseXml(sink.text))[0]!;
    assert.deepEqual(
      childElements(response).map((e) => e.local),
      ['href', 'propstat'],
    );
  });

  it('dead property XML from serializeElement embeds correctly', async () => {
    const source = parseXml(
      "<propertyupdate xmlns='DAV:'><set><prop><t:valnspace xmlns:t='http://example.com/neon/litmus/'><foo xmlns='http://bar'/></t:valnspace><nons xmlns=''>v</nons></prop></set></propertyupdate>",
    );
    const props = childElements(childElements(childElements(source)[0]!)[0]!);
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    await w.propResponse('/p', [{ status: 200, props: props.map(serializeElement) }]);
    await w.end();
    const prop = childElements(childElements(childElements(parseXml(sink.text))[0]!)[1]!)[0]!;
    const [valnspace, nons] = childElements(prop);
    assert.ok(is(valnspace!, 'http://example.com/neon/litmus/', 'valnspace'));
    assert.ok(is(childElements(valnspace!)[0]!, 'http://bar', 'foo'));
    assert.ok(is(nons!, '', 'nons'));
  });

  it('buffers small responses into larger chunks by default', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    for (let i = 0; i < 2000; i++) {
      await w.propResponse(`/webdav/main/photo-${i}.jpg`, [
        { status: 200, props: [propXml(DAV_NS, 'getcontentlength', String(i)), propXml(DAV_NS, 'resourcetype')] },
      ]);
    }
    await w.end();
    assert.ok(sink.chunks.length > 5 && sink.chunks.length < 50, `${sink.chunks.length} chunks`);
    for (const chunk of sink.chunks.slice(0, -1)) assert.ok(chunk.length >= 16 * 1024);
    assert.equal(childElements(parseXml(sink.text)).length, 2000);
  });

  it('a response kept as bytes is handed over after the text before it, and waited for like any other', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    await w.propResponse('/a', [{ status: 200, props: [propXml(DAV_NS, 'getcontentlength', '1')] }]);
    const kept = Buffer.from(
      responseXml('/b&c', '<D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>'),
    );
    await w.responseBytes(kept);
    await w.propResponse('/d', [{ status: 200, props: [propXml(DAV_NS, 'getcontentlength', '3')] }]);
    await w.end();
    assert.ok(sink.chunks.includes(kept), 'the bytes themselves, not a copy');
    const hrefs = childElements(parseXml(sink.text)).map((response) => textContent(childElements(response)[0]!));
    assert.deepEqual(hrefs, ['/a', '/b&c', '/d']);

    const order: string[] = [];
    const slow = {
      async write(chunk: string | Uint8Array) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(typeof chunk === 'string' ? 'text' : 'bytes');
      },
    };
    const waiting = new MultistatusWriter(slow);
    await waiting.begin(); // buffered: nothing handed over yet
    await waiting.responseBytes(kept);
    assert.deepEqual(order, ['text', 'bytes'], 'both handed over, and both done, before it returns');
  });

  it('waits for the sink (back-pressure)', async () => {
    const order: string[] = [];
    const sink = {
      async write(chunk: string) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(chunk.slice(0, 12));
      },
    };
    const w = new MultistatusWriter(sink, { bufferSize: 0 });
    await w.begin();
    assert.equal(order.length, 1);
    await w.statusResponse('/a', 200);
    assert.equal(order.length, 2);
    await w.end();
    assert.equal(order.length, 3);
  });

  it('an error condition with inner XML (lock-token-submitted hrefs)', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    await w.statusResponse('/a/', 423, {
      errorCondition: 'lock-token-submitted',
      errorConditionXml: '<D:href>/a/</D:href>',
    });
    await w.end();
    const error = childElements(childElements(parseXml(sink.text))[0]!)[2]!;
    const cond = childElements(error)[0]!;
    assert.ok(is(cond, DAV_NS, 'lock-token-submitted'));
    assert.equal(textContent(cond), '/a/');
  });

  it('escapes hrefs for XML', async () => {
    const sink = new CollectingSink();
    const w = new MultistatusWriter(sink);
    await w.begin();
    await w.statusResponse('/a&b<c>', 200);
    await w.end();
    assert.match(sink.text, /<D:href>\/a&amp;b&lt;c&gt;<\/D:href>/);
  });

  it('refuses calls out of order', async () => {
    const w = new MultistatusWriter(new CollectingSink());
    assert.throws(() => w.propResponse('/a', []));
    await assert.rejects(w.end());
    await w.begin();
    await assert.rejects(w.begin());
    await w.end();
    await assert.rejects(w.statusResponse('/a', 200));
    await assert.rejects(w.end());
  });
});
