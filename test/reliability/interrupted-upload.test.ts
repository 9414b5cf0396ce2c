/**
 * Nothing lost when an upload is cut off: the client process killed half
 * way, the server killed with SIGKILL half way and restarted. In every case
 * the previous version of the file is intact, no partial file is visible,
 * and the leftover temporary goes later: at start-up and periodically, once
 * it is older than a day, so that an upload another instance is running on
 * shared storage right now is never touched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { startPlugin } from '../helpers/plugin-harness.js';
import { basic, rawExchange, send, sleep } from '../helpers/raw-http.js';
import { temporaries } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');
const MiB = 1024 * 1024;

/** Waits until a temporary upload file below `root` holds at least `bytes`; returns its path. */
async function partialUpload(root: string, bytes: number): Promise<string> {
  return eventually(
    async () => {
      const [rel] = await temporaries(root);
      assert.ok(rel, 'no temporary file yet');
      const size = (await stat(join(root, rel))).size;
      assert.ok(size >= bytes, `the temporary holds ${size} bytes`);
      return join(root, rel);
    },
    10_000,
    20,
  );
}

/**
 * A separate process that sends a PUT with `total` bytes announced but only
 * `sent` of them, then waits to be killed: a client that dies mid-upload.
 */
function dyingClient(port: number, path: string, total: number, sent: number, chunked: boolean) {
  const script = `
    const net = require('node:net');
    const s = net.connect(${port}, '127.0.0.1', () => {
      s.write('PUT ${path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: ${ALICE}\\r\\n' + (${chunked} ? 'Transfer-Encoding: chunked' : 'Content-Length: ${total}') + '\\r\\n\\r\\n');
      const piece = Buffer.alloc(64 * 1024, 0x42);
      let n = 0;
      const pump = () => {
        while (n < ${sent}) {
          n += piece.length;
          const ok = s.write(${chunked} ? Buffer.concat([Buffer.from(piece.length.toString(16) + '\\r\\n'), piece, Buffer.from('\\r\\n')]) : piece);
          if (!ok) return s.once('drain', pump);
        }
        process.stdout.write('sent\\n');
      };
      pump();
    });
    setInterval(() => {}, 1000);
  `;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('an upload cut off by the client', () => {
  let host: HostProcess;
  let photos: string;
  before(async () => {
    host = await startHost({ users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }] });
    photos = join(host.dataDir, 'photos');
  });
  after(() => host?.stop());

  for (const chunked of [false, true]) {
    it(`the client process killed half way (${chunked ? 'chunked' : 'Content-Length'}): the old file stays, the temporary goes, nothing partial is visible`, async () => {
      const old = randomBytes(200 * 1024);
      assert.equal(
        (
          await send(host.port, {
            method: 'PUT',
            path: '/webdav/main/video.mp4',
            headers: { authorization: ALICE },
            body: old,
          })
        ).status,
        chunked ? 204 : 201,
      );
      const client = dyingClient(host.port, '/webdav/main/video.mp4', 8 * MiB, 4 * MiB, chunked);
      try {
        await partialUpload(photos, 2 * MiB);
        // While the upload runs, nobody sees it.
        assert.ok((await readFile(join(photos, 'video.mp4'))).equals(old));
        const listing = await send(host.port, {
          method: 'PROPFIND',
          path: '/webdav/main/',
          headers: { authorization: ALICE, depth: '1' },
        });
        assert.equal(listing.status, 207, listing.text);
        assert.doesNotMatch(listing.text, /webdav-upload/);
      } finally {
        client.kill('SIGKILL');
      }
      await eventually(async () => assert.deepEqual(await temporaries(photos), []), 5_000);
      assert.ok((await readFile(join(photos, 'video.mp4'))).equals(old), 'the previous version is intact');
      const served = await send(host.port, { path: '/webdav/main/video.mp4', headers: { authorization: ALICE } });
      assert.ok(served.body.equals(old));
    });
  }
});

describe('the server killed with SIGKILL during an upload, and restarted', () => {
  let dataDir: string;
  let host: HostProcess | undefined;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sigkill-'));
  });
  after(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the old version, shows no partial file, keeps a fresh leftover (another instance may own it) and sweeps it once a day old', async () => {
    host = await startHost({ dataDir, users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }] });
    const photos = join(dataDir, 'photos');
    const old = randomBytes(300 * 1024);
    assert.equal(
      (
        await send(host.port, {
          method: 'PUT',
          path: '/webdav/main/video.mp4',
          headers: { authorization: ALICE },
          body: old,
        })
      ).status,
      201,
    );
    // A photo whose PUT was answered 201 just before the kill is there afterwards.
    const committed = randomBytes(100 * 1024);
    assert.equal(
      (
        await send(host.port, {
          method: 'PUT',
          path: '/webdav/main/committed.jpg',
          headers: { authorization: ALICE },
          body: committed,
        })
      ).status,
      201,
    );

    const upload = rawExchange(
      host.port,
      (write) => {
        write(
          `PUT /webdav/main/video.mp4 HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nContent-Length: ${8 * MiB}\r\n\r\n`,
        );
        write(Buffer.alloc(4 * MiB, 0x43));
      },
      { timeoutMs: 15_000 },
    );
    const leftover = await partialUpload(photos, 2 * MiB);
    host.child.kill('SIGKILL');
    await host.stop();
    const cut = await upload;
    assert.equal(cut.status, 0, 'the upload got no answer: the server died');

    assert.ok((await readFile(join(photos, 'video.mp4'))).equals(old), 'the previous version is intact on disk');
    assert.ok((await readFile(join(photos, 'committed.jpg'))).equals(committed));
    assert.deepEqual(
      await temporaries(photos),
      [leftover.slice(photos.length + 1)],
      'the partial upload is a temporary, nothing else',
    );

    // Restarted: the old version is served, the leftover is invisible, and (being fresh) left alone.
    host = await startHost({ dataDir });
    const served = await send(host.port, { path: '/webdav/main/video.mp4', headers: { authorization: ALICE } });
    assert.equal(served.status, 200);
    assert.ok(served.body.equals(old));
    const listing = await send(host.port, {
      method: 'PROPFIND',
      path: '/webdav/main/',
      headers: { authorization: ALICE, depth: '1' },
    });
    assert.doesNotMatch(listing.text, /webdav-upload/);
    assert.match(listing.text, /committed\.jpg/);
    const name = leftover.slice(photos.length + 1);
    assert.equal(
      (await send(host.port, { path: `/webdav/main/${name}`, headers: { authorization: ALICE } })).status,
      404,
    );
    await sleep(500); // the start-up sweep runs in the background
    assert.ok(await stat(leftover), 'a fresh leftover may be another instance’s upload in progress: kept');
    await host.stop();

    // A day later (its mtime says so) the next start-up removes it; a fresh one beside it stays.
    const dayAndAHourAgo = new Date(Date.now() - 25 * 3600_000);
    await utimes(leftover, dayAndAHourAgo, dayAndAHourAgo);
    const fresh = join(photos, '.~webdav-upload-00000000-0000-0000-0000-000000000000.part');
    await writeFile(fresh, 'another instance is writing this right now');
    host = await startHost({ dataDir });
    await eventually(async () => assert.deepEqual(await temporaries(photos), [fresh.slice(photos.length + 1)]), 5_000);
    assert.ok((await readFile(join(photos, 'video.mp4'))).equals(old));
  });
});

describe('the periodic sweep', () => {
  it('removes a leftover once it is a day old, without a restart', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const harness = await startPlugin().catch((error: unknown) => {
      mock.timers.reset();
      throw error;
    });
    try {
      const leftover = join(harness.root, '.~webdav-upload-11111111-1111-1111-1111-111111111111.part');
      await writeFile(leftover, 'half a photo');
      await writeFile(join(harness.root, 'photo.jpg'), 'a photo');
      // Still fresh at the first sweeps.
      mock.timers.tick(6 * 3600_000);
      await sleep(300);
      assert.deepEqual((await readdir(harness.root)).sort(), [
        '.~webdav-upload-11111111-1111-1111-1111-111111111111.part',
        'photo.jpg',
      ]);
      // Old now: the next periodic sweep takes it.
      const old = new Date(Date.now() - 25 * 3600_000);
      await utimes(leftover, old, old);
      mock.timers.tick(6 * 3600_000);
      await eventually(async () => assert.deepEqual(await readdir(harness.root), ['photo.jpg']), 3_000);
    } finally {
      mock.timers.reset();
      await harness.stop();
    }
  });
});
