/**
 * The inbox of the real host does not take a file a client is still
 * writing or holds locked (docs/inbox.md, "What happens to a dropped
 * file"): a new name LOCKed and then PUT with the lock's token stays in the
 * inbox until it is unlocked, and an upload that trickles in over several
 * settle times is left alone under its temporary name until it is complete,
 * then filed once, byte for byte.
 *
 * "A pass has looked at it" is shown without timing: a marker file is put
 * into the inbox after the file under test was last written, so it settles
 * later, under a name that a pass takes earlier (passes go by name); once
 * the marker is filed, a pass has found the file under test settled too,
 * and passed it over.
 */
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { jpegWithExif } from '../helpers/media-fixtures.js';
import { basic, LOCK_BODY, send, sleep } from '../helpers/raw-http.js';
import { sha256, snapshot, temporaries } from '../helpers/system.js';

const AUTH = basic('alice', 'alice-pw');
const SETTLE_SECONDS = 1;

describe('the inbox of the real host and files still in use', () => {
  let host: HostProcess;
  let share: string;
  before(async () => {
    share = await mkdtemp(join(tmpdir(), 'inbox-in-progress-'));
    host = await startHost({
      settings: {
        'robot.root.0.path': share,
        'robot.root.0.webdavmount': 'main',
        'robot.root.0.webdavinbox': 'Inbox',
        'webdav.inbox.settle': String(SETTLE_SECONDS),
      },
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }],
    });
  });
  after(async () => {
    await host?.stop();
    await rm(share, { recursive: true, force: true });
  });

  const put = async (name: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> =>
    (
      await send(host.port, {
        method: 'PUT',
        path: `/webdav/main/Inbox/${name}`,
        headers: { authorization: AUTH, ...headers },
        body,
      })
    ).status;
  /** Puts a photo of `month` ('YYYY-MM') into the inbox and waits until it is filed. */
  const fileMarker = async (name: string, month: string, seed: number): Promise<void> => {
    const body = jpegWithExif({ dateTimeOriginal: `${month.replace('-', ':')}:01 12:00:00`, seed });
    assert.equal(await put(name, body), 201);
    await eventually(
      async () => assert.equal(sha256(await readFile(join(share, month.slice(0, 4), month, name))), sha256(body)),
      15_000,
    );
  };
  /** Every file of the share whose content is `hash`, by path. */
  const copiesOf = async (hash: string): Promise<string[]> =>
    [...(await snapshot(share))].filter(([, what]) => what === hash).map(([path]) => path);

  it('a new name LOCKed and PUT with its token stays in the inbox until it is unlocked, then is filed', async () => {
    const photo = jpegWithExif({ dateTimeOriginal: '2024:03:09 10:00:00', seed: 1 });
    const locked = await send(host.port, {
      method: 'LOCK',
      path: '/webdav/main/Inbox/locked.jpg',
      headers: { authorization: AUTH, timeout: 'Second-600', 'content-type': 'application/xml' },
      body: LOCK_BODY,
    });
    // RFC 4918 §7.3: a LOCK on an unmapped URL creates an empty resource.
    assert.equal(locked.status, 201, locked.text);
    const token = String(locked.headers['lock-token']);
    assert.match(token, /^<.+>$/);
    assert.equal((await stat(join(share, 'Inbox', 'locked.jpg'))).size, 0);
    assert.equal(await put('locked.jpg', photo, { if: `(${token})` }), 204);

    await fileMarker('a-marker-1.jpg', '2022-02', 2);
    assert.deepEqual(await copiesOf(sha256(photo)), ['Inbox/locked.jpg'], 'the locked file is still in the inbox');

    const unlocked = await send(host.port, {
      method: 'UNLOCK',
      path: '/webdav/main/Inbox/locked.jpg',
      headers: { authorization: AUTH, 'lock-token': token },
    });
    assert.equal(unlocked.status, 204, unlocked.text);
    await eventually(async () => assert.deepEqual(await copiesOf(sha256(photo)), ['2024/2024-03/locked.jpg']), 15_000);
  });

  it('an upload trickling in over several settle times is filed once it is complete, once and whole', async () => {
    // A few hundred KB of noise pixels, sent in pieces.
    const photo = jpegWithExif({ dateTimeOriginal: '2023:09:21 07:30:00', width: 400, height: 400, seed: 3 });
    const piece = 32 * 1024;
    assert.ok(photo.length > 4 * piece, `${photo.length} bytes`);

    const req = request({
      host: '127.0.0.1',
      port: host.port,
      method: 'PUT',
      path: '/webdav/main/Inbox/slow.jpg',
      headers: { authorization: AUTH, 'content-length': photo.length },
      agent: false,
    });
    const answer = new Promise<IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    // Awaited below; a failed test destroys the request, which must not be an unhandled rejection.
    answer.catch(() => undefined);
    try {
      req.write(photo.subarray(0, piece));
      // The upload has its temporary file (plugin/store/fs-store.ts), which
      // nothing writes for now: the server gathers a body in batches of 1 MiB.
      const temporary = await eventually(async () => {
        const [only, ...more] = await temporaries(join(share, 'Inbox'));
        assert.ok(only !== undefined && more.length === 0, `temporaries: ${[only, ...more].join(', ')}`);
        return only;
      }, 10_000);

      // A pass finds the temporary unwritten for longer than the settle time, and leaves it.
      await fileMarker('a-marker-2.jpg', '2022-03', 4);
      assert.deepEqual(await readdir(join(share, 'Inbox')), [temporary]);

      // The rest trickles in, a piece at a time, over more than another settle time.
      for (let at = piece; at < photo.length; at += piece) {
        await sleep((SETTLE_SECONDS * 1000) / 4);
        const files = [...(await snapshot(share)).keys()];
        assert.deepEqual(await readdir(join(share, 'Inbox')), [temporary], 'still only the temporary');
        assert.deepEqual(
          files.filter((file) => file.endsWith('slow.jpg')),
          [],
          'nothing is filed while it is written',
        );
        req.write(photo.subarray(at, at + piece));
      }
      req.end();
      const response = await answer;
      response.resume();
      assert.equal(response.statusCode, 201);
    } finally {
      req.destroy();
    }

    await eventually(async () => assert.deepEqual(await copiesOf(sha256(photo)), ['2023/2023-09/slow.jpg']), 15_000);
    assert.deepEqual(await readdir(join(share, 'Inbox')), []);
    assert.deepEqual(await temporaries(share), []);
  });
});
