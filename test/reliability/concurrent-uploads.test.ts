/**
 * Clients uploading the same file at the same moment, through the real
 * host: each upload goes to its own temporary file and is renamed over the
 * target whole, so the result is exactly one of the uploads, never a mix,
 * and readers meanwhile see either the old file or one of the new ones.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { basic, rawExchange, send } from '../helpers/raw-http.js';
import { sha256, temporaries } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');

describe('clients uploading the same file at once', () => {
  let host: HostProcess;
  let photos: string;
  before(async () => {
    host = await startHost({ users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }] });
    photos = join(host.dataDir, 'photos');
  });
  after(() => host?.stop());

  /** A PUT whose body goes out in 64 KiB pieces, `pauseMs` apart, so that several are under way together. */
  const upload = (path: string, body: Buffer, pauseMs: number) =>
    rawExchange(
      host.port,
      (write, isOpen) => {
        write(
          `PUT ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        let at = 0;
        const next = (): void => {
          if (!isOpen() || at >= body.length) return;
          write(body.subarray(at, at + 64 * 1024));
          at += 64 * 1024;
          setTimeout(next, pauseMs);
        };
        next();
      },
      { timeoutMs: 30_000 },
    );

  for (const clients of [2, 4]) {
    it(`${clients} clients, interleaved: the file is exactly one of the uploads, never a mix; readers never see a partial file`, async () => {
      for (let round = 0; round < 3; round++) {
        const path = `/webdav/main/same-${clients}.jpg`;
        const old = randomBytes(256 * 1024);
        assert.ok(
          (await send(host.port, { method: 'PUT', path, headers: { authorization: ALICE }, body: old })).status < 300,
        );
        const bodies = Array.from({ length: clients }, () =>
          randomBytes(1024 * 1024 + Math.floor(Math.random() * 65536)),
        );
        const allowed = new Set([sha256(old), ...bodies.map(sha256)]);

        let reading = true;
        const seen = new Set<string>();
        const reader = (async () => {
          while (reading) {
            const res = await send(host.port, { path, headers: { authorization: ALICE } });
            assert.equal(res.status, 200);
            seen.add(sha256(res.body));
          }
        })();
        const answers = await Promise.all(bodies.map((body, i) => upload(path, body, 2 + i)));
        reading = false;
        await reader;

        for (const answer of answers) assert.equal(answer.status, 204, answer.text.slice(0, 200));
        const result = sha256(await readFile(join(photos, `same-${clients}.jpg`)));
        assert.ok(
          bodies.some((body) => sha256(body) === result),
          `round ${round}: the file is none of the uploads (a mix)`,
        );
        for (const digest of seen)
          assert.ok(allowed.has(digest), `round ${round}: a reader saw a file that was never uploaded`);
        assert.deepEqual(await temporaries(photos), []);
      }
    });
  }

  it('regression "GET during a replacement": a reader never gets one version’s length with another version’s bytes', async () => {
    const path = '/webdav/main/churn.jpg';
    const versions = [
      randomBytes(100 * 1024),
      randomBytes(300 * 1024),
      randomBytes(50 * 1024),
      randomBytes(200 * 1024),
    ];
    const digests = new Set(versions.map(sha256));
    assert.ok(
      (await send(host.port, { method: 'PUT', path, headers: { authorization: ALICE }, body: versions[0] })).status <
        300,
    );
    let writing = true;
    const writer = async (offset: number) => {
      for (let i = 1; i < 25; i++) {
        const res = await send(host.port, {
          method: 'PUT',
          path,
          headers: { authorization: ALICE },
          body: versions[(i + offset) % versions.length],
        });
        assert.equal(res.status, 204);
      }
    };
    const writers = Promise.all([writer(0), writer(1)]).finally(() => (writing = false));
    let checked = 0;
    const reader = async (range: string | undefined) => {
      while (writing) {
        // No error is acceptable here: a body longer or shorter than its Content-Length is the bug.
        const res = await send(host.port, { path, headers: { authorization: ALICE, ...(range ? { range } : {}) } });
        checked++;
        if (res.status === 503) continue; // replaced over and over while it looked: told to retry
        assert.equal(
          res.body.length,
          Number(res.headers['content-length']),
          `${range ?? 'whole'}: Content-Length says ${res.headers['content-length']}, ${res.body.length} bytes came`,
        );
        if (!range) {
          assert.equal(res.status, 200);
          assert.ok(digests.has(sha256(res.body)), 'the body is none of the versions');
        } else {
          assert.equal(res.status, 206);
          const [, start, end] = /bytes (\d+)-(\d+)\//.exec(String(res.headers['content-range']))!.map(Number);
          assert.ok(
            versions.some((v) => v.length > end! && v.subarray(start!, end! + 1).equals(res.body)),
            'the range is part of none of the versions',
          );
        }
      }
    };
    await Promise.all([writers, reader(undefined), reader(undefined), reader(undefined), reader('bytes=1000-60999')]);
    assert.ok(checked > 20, `only ${checked} reads`);
  });
});
