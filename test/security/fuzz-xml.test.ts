/**
 * Property tests of the XML reader (plugin/dav/xml/reader.ts), beyond
 * test/unit/plugin-dav-xml-reader.test.ts: arbitrary bytes in any declared
 * charset, through the body reader in arbitrary chunks, never crash it with
 * anything but a DavError; a document split anywhere (inside a UTF-8 or
 * UTF-16 character) reads the same as whole; the nesting and namespace
 * limits hold at exactly their bounds.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DavError } from '../../plugin/dav/errors.js';
import { MAX_NAMESPACE_BINDINGS, MAX_XML_DEPTH, parseXml, type XmlElement } from '../../plugin/dav/xml/parse.js';
import { decodeBody, readXmlBody } from '../../plugin/dav/xml/request-body.js';
import { serializeElement } from '../../plugin/dav/xml/serialize.js';

/** A request whose body arrives in the given pieces. */
function requestOf(pieces: readonly Uint8Array[], headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from(
    pieces.map((p) => Buffer.from(p)),
    { objectMode: false },
  );
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

/** Cuts `bytes` at the given fractions. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to > from) pieces.push(bytes.subarray(from, to));
    from = Math.max(from, to);
  }
  return pieces;
}

/** Elements without their scope objects, for comparing two parses. */
function plain(el: XmlElement): unknown {
  return {
    ns: el.ns,
    local: el.local,
    attributes: el.attributes,
    children: el.children.map((c) => ('local' in c ? plain(c) : c)),
  };
}

async function read(
  pieces: readonly Uint8Array[],
  headers: Record<string, string>,
): Promise<XmlElement | null | DavError> {
  try {
    return await readXmlBody(requestOf(pieces, headers));
  } catch (error) {
    assert.ok(error instanceof DavError, String(error));
    assert.ok([400, 413, 415].includes(error.status), `${error.status} ${error.message}`);
    return error;
  }
}

const DOCUMENT = fc.constantFrom(
  '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><Z:x xmlns:Z="urn:zäöü"/></D:prop></D:propfind>',
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><t:v xmlns:t="urn:t">Mädchen 📷 &amp; &lt;x&gt; <![CDATA[raw <data>]]></t:v></D:prop></D:set></D:propertyupdate>',
  '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype><owner><href>mailto:ä@example.org</href></owner></lockinfo>',
);

describe('the XML reader, fuzzed', () => {
  it('arbitrary bytes, any charset, any chunking: a document, nothing, or a DavError 400/413/415', async () => {
    const charset = fc.constantFrom(
      '',
      '; charset=utf-8',
      '; charset="UTF-16"',
      '; charset=utf-16le',
      '; charset=iso-8859-1',
      '; charset=koi8-r',
      '; charset=',
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .tuple(fc.constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], []), fc.uint8Array({ maxLength: 200 }))
        .map(([bom, rest]) => Uint8Array.from([...bom, ...rest])),
      fc.tuple(DOCUMENT, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([doc, at, byte]) => {
        const b = Buffer.from(doc);
        b[at % b.length] = byte; // one byte flipped
        return Uint8Array.from(b);
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        bytes,
        charset,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        async (body, cs, cuts) => {
          const result = await read(split(body, cuts), {
            'content-type': `application/xml${cs}`,
            'content-length': String(body.length),
          });
          if (result && !(result instanceof DavError)) assert.ok(result.local.length > 0);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round trip: a document read in pieces split anywhere, even inside a character, equals the document parsed whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        DOCUMENT,
        fc.constantFrom('utf-8', 'utf-16le', 'utf-16be'),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        fc.boolean(),
        async (doc, encoding, cuts, chunked) => {
          const text = encoding === 'utf-8' ? Buffer.from(doc) : Buffer.from(doc, 'utf16le');
          const body = encoding === 'utf-16be' ? Buffer.from(text).swap16() : text;
          const withBom =
            encoding === 'utf-8'
              ? body
              : Buffer.concat([Buffer.from(encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
          const headers: Record<string, string> = {
            'content-type': `text/xml; charset=${encoding === 'utf-8' ? 'utf-8' : 'utf-16'}`,
          };
          if (chunked) headers['transfer-encoding'] = 'chunked';
          else headers['content-length'] = String(withBom.length);
          const result = await read(split(withBom, cuts), headers);
          assert.ok(result && !(result instanceof DavError), String(result));
          assert.deepEqual(plain(result), plain(parseXml(doc)));
          // And what a dead property keeps of it reads back the same.
          assert.deepEqual(plain(parseXml(serializeElement(result))), plain(result));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('nesting: up to MAX_XML_DEPTH levels are read, one more is a 400, whatever the element names', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_XML_DEPTH + 40 }),
        fc.constantFrom('a', 'D:prop', 'x:y'),
        (depth, qname) => {
          const decl = qname.includes(':') ? ` xmlns:${qname.split(':')[0]}="urn:n"` : '';
          const open = `<${qname}${decl}>` + `<${qname}>`.repeat(depth - 1);
          const xml = open + `</${qname}>`.repeat(depth);
          if (depth <= MAX_XML_DEPTH) assert.equal(parseXml(xml).local, qname.split(':').pop());
          else
            assert.throws(
              () => parseXml(xml),
              (e: unknown) => e instanceof DavError && e.status === 400,
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('namespaces: up to MAX_NAMESPACE_BINDINGS prefixes in scope are read, more are a 400, however they are spread', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_NAMESPACE_BINDINGS + 20 }),
        fc.integer({ min: 1, max: 5 }),
        (count, levels) => {
          // `count` distinct prefixes declared over `levels` nested elements.
          const per = Math.ceil(count / levels);
          let xml = '';
          let declared = 0;
          for (let level = 0; level < levels; level++) {
            let decls = '';
            for (let i = 0; i < per && declared < count; i++, declared++)
              decls += ` xmlns:p${declared}="urn:p${declared}"`;
            xml += `<e${level}${decls}>`;
          }
          for (let level = levels - 1; level >= 0; level--) xml += `</e${level}>`;
          if (count <= MAX_NAMESPACE_BINDINGS) assert.equal(parseXml(xml).local, 'e0');
          else
            assert.throws(
              () => parseXml(xml),
              (e: unknown) => e instanceof DavError && e.status === 400,
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodeBody never throws anything but a DavError 400 on arbitrary bytes in every supported encoding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(
          'utf-8' as const,
          'utf-16' as const,
          'utf-16le' as const,
          'utf-16be' as const,
          'latin1' as const,
        ),
        (bytes, charset) => {
          try {
            assert.equal(typeof decodeBody(bytes, charset), 'string');
          } catch (error) {
            assert.ok(error instanceof DavError && error.status === 400, String(error));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
