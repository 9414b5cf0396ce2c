/**
 * What they send, besides XML: Depth: infinity and no Depth on a huge
 * folder, a megabyte of headers, CR/LF in names and in Destination, clients
 * that send their headers or body a byte at a time (cut off; a slow but
 * steady upload is not), and 200 connections at once (bounded, cleaned up).
 *
 * The real host cuts slow headers after TIMEOUTS.headers (30 s) and slow
 * form bodies after TIMEOUTS.hostBody (30 s); both are shortened here
 * through MEDIAHOST_HEADERS_TIMEOUT_MS / MEDIAHOST_BODY_TIMEOUT_MS rather
 * than waited for, and the defaults are checked to be what they say. The
 * plugin's minimum body rate (1 KiB/s over a minute) is shortened through
 * bodyRateDefaults in the in-process harness.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TIMEOUTS } from '../../host/timeouts.js';
import { bodyRateDefaults, BODY_RATE_WINDOW_MS, MIN_BODY_BYTES_PER_SECOND } from '../../plugin/http/body-rate.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { basic, rawExchange, send, sleep } from '../helpers/raw-http.js';
import { openFiles, residentBytes, temporaries } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');
const SHORT = 1_500;

describe('the real host’s timeouts are what they say', () => {
  it('cuts slow headers and slow form bodies after 30 s by default; whole requests have no limit', () => {
    // This process has neither variable set, so it sees the defaults the host runs with.
    assert.equal(process.env['MEDIAHOST_HEADERS_TIMEOUT_MS'], undefined);
    assert.equal(TIMEOUTS.headers, 30_000);
    assert.equal(TIMEOUTS.hostBody, 30_000);
    assert.equal(TIMEOUTS.request, 0);
    assert.equal(BODY_RATE_WINDOW_MS, 60_000);
    assert.equal(MIN_BODY_BYTES_PER_SECOND, 1024);
  });
});

describe('headers, names and connections against the real host', () => {
  let host: HostProcess;
  let photos: string;
  const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    send(host.port, { method, path, headers: { authorization: ALICE, ...headers }, body });

  before(async () => {
    host = await startHost({
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }],
      env: { MEDIAHOST_HEADERS_TIMEOUT_MS: String(SHORT), MEDIAHOST_BODY_TIMEOUT_MS: String(SHORT) },
    });
    photos = join(host.dataDir, 'photos');
    await mkdir(join(photos, 'huge'));
    const names = Array.from({ length: 10_000 }, (_, i) => `IMG_${String(i).padStart(5, '0')}.jpg`);
    for (let i = 0; i < names.length; i += 500)
      await Promise.all(names.slice(i, i + 500).map((name) => writeFile(join(photos, 'huge', name), '')));
  });
  after(() => host?.stop());

  it('PROPFIND Depth: infinity, or no Depth, on a folder of 10,000 files is refused at once (403 propfind-finite-depth)', async () => {
    const refusals: number[] = [];
    for (const headers of [{ depth: 'infinity' }, { depth: 'Infinity' }, {}] as Record<string, string>[]) {
      for (const path of ['/webdav/main/huge/', '/webdav/main/huge', '/webdav/main/', '/webdav/']) {
        const res = await dav('PROPFIND', path, headers);
        assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}: ${res.status}`);
        assert.match(res.text, /<D:propfind-finite-depth\s*\/>/);
        refusals.push(res.ms);
      }
    }
    // On a file, infinity is just the file.
    const file = await dav('PROPFIND', '/webdav/main/huge/IMG_00001.jpg', {});
    assert.equal(file.status, 207);
    assert.equal(file.text.match(/<D:response>/g)?.length, 1);
    // And Depth 1 lists it all, streamed.
    const listing = await dav('PROPFIND', '/webdav/main/huge/', { depth: '1' });
    assert.equal(listing.status, 207);
    assert.equal(listing.text.match(/<D:response>/g)?.length, 10_001);
    // "At once": compared with walking the folder on the same (possibly busy) machine, not with a clock.
    const median = refusals.sort((a, b) => a - b)[Math.floor(refusals.length / 2)]!;
    assert.ok(
      median * 3 < listing.ms,
      `a refusal took ${median} ms (median), a listing of the folder ${listing.ms} ms: the folder was walked`,
    );
  });

  it('headers of 1 MB, 10,000 header lines or a 1 MB URL are refused (431/414/400) at once; the server stays up', async () => {
    const mb = 'x'.repeat(1024 * 1024);
    const attempts = [
      `PROPFIND /webdav/main/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nX-Big: ${mb}\r\n\r\n`,
      `PROPFIND /webdav/main/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\n${Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
      `GET /webdav/main/${mb} HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\n\r\n`,
      `PROPFIND /webdav/main/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from(`alice:${mb}`).toString('base64')}\r\n\r\n`,
    ];
    for (const request of attempts) {
      const res = await rawExchange(host.port, request, { timeoutMs: 5_000 });
      assert.ok([400, 413, 414, 431, 0].includes(res.status), `${res.text.slice(0, 100)}`);
      assert.ok(res.closed, 'the connection is closed');
      assert.ok(res.ms < 2_000, `${res.ms} ms`);
    }
    assert.equal((await dav('PROPFIND', '/webdav/main/', { depth: '0' })).status, 207);
  });

  it('CR/LF in a file name or a Destination never splits the answer, creates no such file, and breaks no listing', async () => {
    for (const name of [
      'evil%0d%0aSet-Cookie:%20pwned=1.txt',
      'evil%0aX-Injected:%201',
      'evil%0d.txt',
      'evil%0a%0a<html>',
    ]) {
      for (const method of ['PUT', 'MKCOL']) {
        const res = await dav(method, `/webdav/main/${name}`, {}, method === 'PUT' ? 'x' : undefined);
        assert.equal(res.status, 400, `${method} ${name}: ${res.status}`);
        assert.equal(res.headers['set-cookie'], undefined);
        assert.equal(res.headers['x-injected'], undefined);
      }
      for (const method of ['COPY', 'MOVE']) {
        const res = await dav(method, '/webdav/main/sample-1.jpg', { destination: `/webdav/main/${name}` });
        assert.equal(res.status, 400, `${method} → ${name}: ${res.status}`);
        assert.equal(res.headers['set-cookie'], undefined);
      }
    }
    // A raw CR or LF inside a header value is no header value at all.
    const raw = await rawExchange(
      host.port,
      `COPY /webdav/main/sample-1.jpg HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nDestination: /webdav/main/a\rSet-Cookie: pwned=1\r\nConnection: close\r\n\r\n`,
      { timeoutMs: 3_000 },
    );
    assert.ok(raw.status === 400 || raw.status === 0, raw.text.slice(0, 200));
    assert.doesNotMatch(raw.text, /set-cookie/i);
    assert.ok(!(await readdir(photos)).some((name) => /[\r\n]/.test(name)), 'no file with CR or LF in its name');
  });

  it('regression "unreachable names in listings": a file whose name has CR/LF or a backslash (made on disk) is left out of listings, and they stay well-formed', async () => {
    await mkdir(join(photos, 'odd'));
    await writeFile(join(photos, 'odd', 'line\r\nbreak.jpg'), 'x');
    await writeFile(join(photos, 'odd', 'back\\slash.jpg'), 'x');
    await writeFile(join(photos, 'odd', 'fine.jpg'), 'x');
    const res = await dav('PROPFIND', '/webdav/main/odd/', { depth: '1' });
    assert.equal(res.status, 207);
    assert.equal(res.text.match(/<D:response>/g)?.length, 2, res.text);
    assert.match(res.text, /fine\.jpg/);
    assert.doesNotMatch(res.text, /break|slash|%0D|%0A|%5C/i);
    // Every name a listing shows can be fetched.
    for (const href of res.text.matchAll(/<D:href>([^<]+)<\/D:href>/g))
      assert.ok((await dav('HEAD', href[1]!)).status < 300, href[1]);
    const index = await dav('GET', '/webdav/main/odd/');
    assert.equal(index.status, 200);
    assert.equal(index.text.includes('break'), false, 'nor in the HTML index');
  });

  it('a client sending its headers a byte at a time is cut off by the headers timeout', async () => {
    const request = `PROPFIND /webdav/main/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nDepth: 0\r\n\r\n`;
    const res = await rawExchange(
      host.port,
      (write, isOpen) => {
        let i = 0;
        const drip = (): void => {
          if (!isOpen() || i >= request.length - 2) return; // never finishes the header block
          write(request[i++]!);
          setTimeout(drip, 100);
        };
        drip();
      },
      { timeoutMs: SHORT * 4 },
    );
    assert.ok(res.closed, `still open after ${res.ms} ms`);
    assert.ok(res.ms >= SHORT - 100 && res.ms < SHORT * 2 + 500, `cut after ${res.ms} ms`);
    assert.ok(res.status === 408 || res.status === 0, res.text);
    // A connection that never sends anything goes the same way.
    const silent = await rawExchange(host.port, '', { timeoutMs: SHORT * 4 });
    assert.ok(silent.closed && silent.ms < SHORT * 2 + 500, `silent connection open for ${silent.ms} ms`);
  });

  it('regression "slow login form": a form body sent a byte at a time is cut off; so is an unread body trickled after the answer', async () => {
    const body = 'name=alice&password=alice-pw';
    const login = await rawExchange(
      host.port,
      (write, isOpen) => {
        write(
          `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length + 1000}\r\n\r\n`,
        );
        let i = 0;
        const drip = (): void => {
          if (!isOpen()) return;
          write(body[i++ % body.length]!);
          setTimeout(drip, 100);
        };
        drip();
      },
      { timeoutMs: SHORT * 4 },
    );
    assert.ok(login.closed && login.ms < SHORT * 2 + 500, `the slow login body held the connection for ${login.ms} ms`);
    // 404, 401, 403: answered without reading the body, and the connection closed rather than
    // waiting for the rest of a body nobody wants.
    for (const [path, auth] of [
      ['/nowhere', ''],
      ['/webdav/main/x.jpg', ''],
      ['/webdav/main/x.jpg', `Authorization: ${basic('alice', 'wrong')}\r\n`],
    ] as const) {
      const res = await rawExchange(
        host.port,
        (write, isOpen) => {
          write(`PUT ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 100000\r\n\r\n`);
          const drip = (): void => {
            if (!isOpen()) return;
            write('a');
            setTimeout(drip, 100);
          };
          drip();
        },
        { timeoutMs: 3_000 },
      );
      assert.ok(res.status >= 400, res.text.slice(0, 100));
      assert.ok(
        res.closed && res.ms < 1_000,
        `PUT ${path}: the connection stayed open ${res.ms} ms for a trickled body`,
      );
    }
  });

  it('a slow but steady upload is not cut: longer than every timeout, well above the minimum rate', async () => {
    const total = 10 * 4096;
    const res = await rawExchange(
      host.port,
      (write, isOpen) => {
        write(
          `PUT /webdav/main/steady.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`,
        );
        let sent = 0;
        const tick = (): void => {
          if (!isOpen() || sent >= total) return;
          write(Buffer.alloc(4096, 0x61));
          sent += 4096;
          setTimeout(tick, 400); // ~10 KiB/s for 3.6 s: past the 1.5 s headers and body timeouts
        };
        tick();
      },
      { timeoutMs: 10_000 },
    );
    assert.equal(res.status, 201, res.text.slice(0, 200));
    assert.ok(res.ms > SHORT * 2, `${res.ms} ms`);
    assert.equal((await readFile(join(photos, 'steady.bin'))).length, total);
  });

  it('200 concurrent connections: all answered, memory and file descriptors bounded, everything released afterwards', async () => {
    const pid = host.child.pid!;
    const settle = async (limit: number): Promise<number> => {
      const deadline = Date.now() + 5_000;
      while (openFiles(pid) > limit && Date.now() < deadline) await sleep(100);
      return openFiles(pid);
    };
    await sleep(300);
    const filesBefore = openFiles(pid);
    const memoryBefore = await residentBytes(pid);
    /** Runs `phase` and returns the most descriptors the host had open meanwhile. */
    const peakDuring = async (phase: () => Promise<void>): Promise<number> => {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, openFiles(pid))), 10);
      try {
        await phase();
      } finally {
        clearInterval(sampler);
      }
      return peak;
    };

    const busyPeak = await peakDuring(async () => {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 2 === 0 ? dav('PROPFIND', '/webdav/main/', { depth: '1' }) : dav('GET', '/webdav/main/sample-1.jpg'),
        ),
      );
      assert.deepEqual([...new Set(answers.map((a) => a.status))].sort(), [200, 207]);
    });
    // At most two per connection: its socket, and the file a GET is sending.
    assert.ok(busyPeak <= filesBefore + 2 * 200 + 20, `${busyPeak} descriptors open at the peak (from ${filesBefore})`);
    assert.ok(
      (await settle(filesBefore + 5)) <= filesBefore + 5,
      `${openFiles(pid)} descriptors still open after the busy connections (from ${filesBefore})`,
    );

    // Another 200 that open a connection and send nothing: the headers timeout takes them away.
    const idlePeak = await peakDuring(async () => {
      const idle = await Promise.all(
        Array.from({ length: 200 }, () => rawExchange(host.port, '', { timeoutMs: SHORT * 4 })),
      );
      assert.ok(
        idle.every((c) => c.closed && c.ms < SHORT * 2 + 1000),
        'idle connections are closed by the server',
      );
    });
    assert.ok(idlePeak <= filesBefore + 200 + 20, `${idlePeak} descriptors open at the peak (from ${filesBefore})`);
    assert.ok(
      (await settle(filesBefore + 5)) <= filesBefore + 5,
      `${openFiles(pid)} descriptors still open after the idle connections (from ${filesBefore})`,
    );

    const memoryGrowth = (await residentBytes(pid)) - memoryBefore;
    assert.ok(memoryGrowth < 100 * 1024 * 1024, `memory grew by ${memoryGrowth} bytes`);
    assert.equal((await dav('PROPFIND', '/webdav/main/', { depth: '0' })).status, 207);
  });
});

describe('slow request bodies against the plugin (minimum rate over a short window)', { concurrency: true }, () => {
  let harness: Harness;
  const saved = { ...bodyRateDefaults };
  before(async () => {
    Object.assign(bodyRateDefaults, { windowMs: 1_000, sampleMs: 100, minBytesPerSecond: 1024 });
    harness = await startPlugin();
    await mkdir(join(harness.root, 'trickle'));
    await writeFile(join(harness.root, 'trickle', 'photo.jpg'), 'the old photo');
  });
  after(async () => {
    Object.assign(bodyRateDefaults, saved);
    await harness?.stop();
  });

  const trickle = (head: string, bytesPerTick: number, tickMs: number, totalBytes: number) =>
    rawExchange(
      harness.port,
      (write, isOpen) => {
        write(head);
        let sent = 0;
        const tick = (): void => {
          if (!isOpen() || sent >= totalBytes) return;
          write(Buffer.alloc(Math.min(bytesPerTick, totalBytes - sent), 0x62));
          sent += bytesPerTick;
          setTimeout(tick, tickMs);
        };
        tick();
      },
      { timeoutMs: 10_000 },
    );

  it('a PUT body trickling a byte at a time is cut off; the old file stays, no temporary is left', async () => {
    const res = await trickle(
      `PUT /webdav/main/trickle/photo.jpg HTTP/1.1\r\nHost: x\r\nAuthorization: ${harness.auth()}\r\nContent-Length: 100000\r\n\r\n`,
      1,
      50,
      100_000,
    );
    assert.ok(res.closed && res.ms < 3_000, `the trickle held on for ${res.ms} ms`);
    assert.equal(await readFile(join(harness.root, 'trickle', 'photo.jpg'), 'utf8'), 'the old photo');
    const folder = join(harness.root, 'trickle');
    const deadline = Date.now() + 2_000;
    while ((await temporaries(folder)).length > 0 && Date.now() < deadline) await sleep(50);
    assert.deepEqual(await temporaries(folder), []);
  });

  it('a PROPFIND or PROPPATCH body trickling is cut off too', async () => {
    for (const method of ['PROPFIND', 'PROPPATCH']) {
      const res = await trickle(
        `${method} /webdav/main/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${harness.auth()}\r\nDepth: 0\r\nContent-Length: 5000\r\n\r\n`,
        1,
        50,
        5000,
      );
      assert.ok(res.closed && res.ms < 3_000, `${method}: ${res.ms} ms`);
    }
  });

  it('a slow but steady upload, above the minimum rate for longer than the window, is not cut', async () => {
    const total = 8 * 1024;
    const res = await trickle(
      `PUT /webdav/main/steady.jpg HTTP/1.1\r\nHost: x\r\nAuthorization: ${harness.auth()}\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`,
      512,
      200,
      total,
    );
    assert.equal(res.status, 201, res.text.slice(0, 200));
    assert.ok(res.ms > 2_500, `${res.ms} ms: longer than the window`);
    assert.equal((await readFile(join(harness.root, 'steady.jpg'))).length, total);
    await rm(join(harness.root, 'steady.jpg'));
  });
});
