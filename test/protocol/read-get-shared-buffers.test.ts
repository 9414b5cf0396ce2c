/**
 * GETs read large files into shared buffers that are read into again once
 * an answer has sent them (store/read-buffers.ts, dav/sent-chunks.ts). A
 * buffer taken back too early would send one client another answer's
 * bytes: many clients at once, slow and fast, whole files and ranges, and
 * clients that go away half way must each get exactly their bytes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';

const MiB = 1024 * 1024;

describe('GET from shared read buffers', () => {
  let harness: Harness;
  const files = new Map<string, Buffer>();
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  before(async () => {
    harness = await startPlugin();
    for (const [name, size] of [
      ['a.mp4', 5 * MiB + 17],
      ['b.mp4', 3 * MiB],
      ['c.jpg', 300 * 1024],
    ] as const) {
      const bytes = randomBytes(size);
      files.set(name, bytes);
      await writeFile(join(harness.root, name), bytes);
    }
  });
  after(async () => {
    agent.destroy();
    await harness.stop();
  });

  /** One GET; a slow client pauses after each chunk, so the server's writes wait on a full socket. */
  function get(
    name: string,
    range: [number, number] | null,
    slow: boolean,
    stopAfter?: number,
  ): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: harness.auth() };
      if (range) headers.Range = `bytes=${range[0]}-${range[1]}`;
      const req = request(`${harness.url}/webdav/main/${name}`, { agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (stopAfter !== undefined && received >= stopAfter) {
            req.destroy();
            resolve(null);
            return;
          }
          if (slow) {
            res.pause();
            setTimeout(() => res.resume(), 3);
          }
        });
        res.on('end', () => {
          assert.equal(res.statusCode, range ? 206 : 200);
          resolve(Buffer.concat(chunks));
        });
        res.on('error', reject);
      });
      req.on('error', (error) => (stopAfter === undefined ? reject(error) : resolve(null)));
      req.end();
    });
  }

  it('many clients at once each get exactly their bytes, slow or fast, whole or ranged, with some going away', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 3; round++) {
      const asked = Array.from({ length: 24 }, (_, i) => {
        const name = ['a.mp4', 'b.mp4', 'c.jpg'][i % 3]!;
        const bytes = files.get(name)!;
        const length = [MiB, 300 * 1024, 2 * MiB + 3, bytes.length][random(4)]!;
        const start = random(Math.max(1, bytes.length - length));
        const range: [number, number] | null = i % 4 === 0 ? null : [start, Math.min(bytes.length, start + length) - 1];
        const expected = range ? bytes.subarray(range[0], range[1] + 1) : bytes;
        const goesAway = i % 7 === 3 && expected.length > 256 * 1024;
        return { name, range, expected, slow: i % 2 === 0, goesAway };
      });
      const answers = await Promise.all(
        asked.map((a) => get(a.name, a.range, a.slow, a.goesAway ? 200 * 1024 : undefined)),
      );
      answers.forEach((answer, i) => {
        const a = asked[i]!;
        if (a.goesAway) return;
        assert.ok(answer, `round ${round}, answer ${i}`);
        assert.ok(
          answer.equals(a.expected),
          `round ${round}, answer ${i}: ${a.name} ${a.range ?? 'whole'}, slow ${a.slow}`,
        );
      });
      await sleep(20);
    }
  });
});
