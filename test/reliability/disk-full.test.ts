/**
 * Nothing lost when the disk fills up, on real small file systems (tmpfs,
 * mounted by the test as root) behind the real host:
 *
 * - a PUT that does not fit answers 507, the previous version of the file is
 *   intact, no partial file or temporary is left, and the space comes back;
 * - a COPY of a folder tree onto a disk that fills half way answers 207
 *   naming exactly what did not arrive, and everything that did is whole;
 * - a MOVE of a tree across devices (a share whose subfolder is another
 *   file system: the rename fails with EXDEV and the move copies) that runs
 *   out of space loses nothing: every file is whole, at its source or at
 *   its destination, and the 207 names exactly those still at the source.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { basic, send } from '../helpers/raw-http.js';
import { mountTmpfsAt, requireMount, snapshot, temporaries, type Mounted } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');
const KiB = 1024;

/** The responses of a 207: href → status code. */
function failuresOf(xml: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of xml.matchAll(/<D:response>([\s\S]*?)<\/D:response>/g)) {
    const href = /<D:href>([^<]*)<\/D:href>/.exec(m[1]!)?.[1];
    const status = /<D:status>HTTP\/1\.1 (\d{3})/.exec(m[1]!)?.[1];
    if (href && status) out.set(decodeURIComponent(href), Number(status));
  }
  return out;
}

/** A tree of files: relative path → content. */
function makeTree(files: number, size: number): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  for (let i = 0; i < files; i++) tree.set(`${i % 2 === 0 ? 'even' : 'odd'}/photo-${i}.jpg`, randomBytes(size));
  return tree;
}

async function writeTree(root: string, tree: Map<string, Buffer>): Promise<void> {
  for (const [rel, content] of tree) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), content);
  }
}

async function contentOf(file: string): Promise<Buffer | null> {
  return readFile(file).catch(() => null);
}

describe('the disk fills up', () => {
  let host: HostProcess;
  let base: string;
  let tiny: Mounted;
  let full: Mounted;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'disk-full-'));
    tiny = await mountTmpfsAt(join(base, 'tiny'), 2048);
    await mkdir(join(base, 'big'));
    full = await mountTmpfsAt(join(base, 'big', 'full'), 2048);
    host = await startHost({
      settings: {
        'webdav.0.path': join(base, 'tiny'),
        'webdav.0.webdavmount': 'tiny',
        'webdav.1.path': join(base, 'big'),
        'webdav.1.webdavmount': 'big',
      },
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.tiny', 'WebDAV.big'] }],
    });
  });
  after(async () => {
    await host?.stop();
    for (const mounted of [full, tiny]) if (mounted && 'dir' in mounted) await mounted.unmount();
    if (base) await rm(base, { recursive: true, force: true });
  });

  const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    send(host.port, { method, path, headers: { authorization: ALICE, ...headers }, body, timeoutMs: 30_000 });

  it('a PUT that does not fit: 507, the old version intact, no partial file, and the space comes back', async (t) => {
    if (!requireMount(t, tiny)) return;
    const dir = tiny.dir;
    const old = randomBytes(400 * KiB);
    assert.equal((await dav('PUT', '/webdav/tiny/photo.jpg', {}, old)).status, 201);
    const free = (await statfs(dir)).bavail;

    for (const [what, headers] of [
      ['Content-Length', {}],
      ['chunked', { 'transfer-encoding': 'chunked' }],
    ] as const) {
      const replace = await dav('PUT', '/webdav/tiny/photo.jpg', headers, randomBytes(3 * 1024 * KiB));
      assert.equal(replace.status, 507, `${what}: ${replace.status} ${replace.text}`);
      assert.ok((await readFile(join(dir, 'photo.jpg'))).equals(old), `${what}: the previous version is intact`);
      const create = await dav('PUT', '/webdav/tiny/new.jpg', headers, randomBytes(3 * 1024 * KiB));
      assert.equal(create.status, 507, `${what}: ${create.status}`);
      assert.deepEqual((await readdir(dir)).sort(), ['photo.jpg'], `${what}: no partial file, no temporary`);
      assert.equal((await statfs(dir)).bavail, free, `${what}: the space of the failed upload is free again`);
    }
    // Listing and reading still work, and an upload that fits goes through.
    const listing = await dav('PROPFIND', '/webdav/tiny/', { depth: '1' });
    assert.equal(listing.status, 207);
    assert.match(listing.text, /quota-available-bytes|photo\.jpg/);
    const fits = randomBytes(1024 * KiB);
    assert.equal((await dav('PUT', '/webdav/tiny/photo.jpg', {}, fits)).status, 204);
    assert.ok((await readFile(join(dir, 'photo.jpg'))).equals(fits));
    assert.equal((await dav('DELETE', '/webdav/tiny/photo.jpg')).status, 204);
  });

  it('a COPY of a tree onto a disk that fills half way: 207 naming exactly what did not arrive; what did is whole', async (t) => {
    if (!requireMount(t, tiny)) return;
    const tree = makeTree(10, 300 * KiB); // 3 MB into 2 MB
    await writeTree(join(base, 'big', 'tree'), tree);
    const sourceBefore = await snapshot(join(base, 'big', 'tree'));
    const res = await dav('COPY', '/webdav/big/tree/', { destination: '/webdav/tiny/tree/' });
    assert.equal(res.status, 207, res.text);
    const failures = failuresOf(res.text);
    assert.ok(
      [...failures.values()].every((status) => status === 507),
      res.text,
    );

    let arrived = 0;
    for (const [rel, content] of tree) {
      const copy = await contentOf(join(tiny.dir, 'tree', rel));
      const reported = failures.has(`/webdav/tiny/tree/${rel}`);
      if (copy) {
        assert.ok(copy.equals(content), `${rel} arrived incomplete`);
        assert.ok(!reported, `${rel} arrived but is reported as failed`);
        arrived++;
      } else assert.ok(reported, `${rel} is missing but not reported`);
    }
    assert.ok(arrived > 0 && arrived < tree.size, `${arrived} of ${tree.size} arrived`);
    assert.deepEqual(await snapshot(join(base, 'big', 'tree')), sourceBefore, 'the source is untouched');
    assert.deepEqual(await temporaries(tiny.dir), []);
    assert.equal((await dav('DELETE', '/webdav/tiny/tree/')).status, 204);
  });

  it('a MOVE across devices that runs out of space loses nothing: every file is whole at its source or at its destination', async (t) => {
    if (!requireMount(t, full)) return;
    const tree = makeTree(10, 300 * KiB);
    const source = join(base, 'big', 'moving');
    await writeTree(source, tree);
    // Within one share, but onto another file system: rename fails with EXDEV and the move copies.
    const res = await dav('MOVE', '/webdav/big/moving/', { destination: '/webdav/big/full/moving/' });
    assert.equal(res.status, 207, res.text);
    const failures = failuresOf(res.text);

    let moved = 0;
    for (const [rel, content] of tree) {
      const atSource = await contentOf(join(source, rel));
      const atDestination = await contentOf(join(full.dir, 'moving', rel));
      assert.ok(atSource || atDestination, `${rel} was lost`);
      if (atSource) assert.ok(atSource.equals(content), `${rel} changed at its source`);
      if (atDestination) assert.ok(atDestination.equals(content), `${rel} arrived incomplete`);
      assert.ok(!(atSource && atDestination), `${rel} is in both places though its copy was complete`);
      // A file that stayed is named in the answer (by its destination URL: writing it failed).
      if (atSource)
        assert.equal(
          failures.get(`/webdav/big/full/moving/${rel}`),
          507,
          `${rel} stayed but is not reported: ${res.text}`,
        );
      else moved++;
    }
    assert.ok(moved > 0 && moved < tree.size, `${moved} of ${tree.size} moved`);
    // Only files and their folders are named; nothing else.
    for (const href of failures.keys()) assert.match(href, /^\/webdav\/big\/(full\/)?moving\//);
    assert.deepEqual(await temporaries(base), []);

    // Once there is room again, the rest of the move goes through.
    assert.equal((await dav('MOVE', '/webdav/big/full/moving/', { destination: '/webdav/big/moved/' })).status, 201);
    assert.equal((await dav('MOVE', '/webdav/big/moving/', { destination: '/webdav/big/full/moving/' })).status, 201);
    for (const [rel, content] of tree) {
      const somewhere =
        (await contentOf(join(full.dir, 'moving', rel))) ?? (await contentOf(join(base, 'big', 'moved', rel)));
      assert.ok(somewhere?.equals(content), `${rel} after the retry`);
    }
  });
});
