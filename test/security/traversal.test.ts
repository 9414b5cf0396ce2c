/**
 * Where a caller gets: path traversal in every spelling, in the request
 * path, in Destination and in If resource tags; symbolic links; the hidden
 * upload temporaries. Attacked through the real host.
 *
 * What is asserted is the outcome, not a status: nothing outside the share
 * is read (no answer carries a secret) or written (the folders around the
 * share are byte for byte unchanged), nothing inside it is damaged, and no
 * attempt makes the server fail (5xx). Some spellings decode to harmless
 * legal names (`%252e%252e` is a file called `%2e%2e`); creating such a
 * file inside the share is fine.
 *
 * Symbolic links, as decided and documented in fs-store.ts:
 * - one that leads outside the share is refused (403) for reading and
 *   writing, and left out of listings;
 * - one that leads to a file or folder inside the same share is followed for
 *   reading (it serves what it points to, like the file system does), while
 *   writing a file at the link's own name (PUT, COPY or MOVE onto it)
 *   replaces the link, DELETE removes the link, and MOVE moves the link:
 *   the file it points to is never changed through a second name;
 * - a folder the server already knows (it caches which folders are real
 *   folders inside the share) that is swapped for a symlink leading outside
 *   while the server runs is refused at the very next request.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { etagOf } from '../../plugin/store/fs-store.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { LOCK_BODY, PROPPATCH_BODY, basic, rawExchange, send, type Answer } from '../helpers/raw-http.js';
import { snapshot } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');
const SECRETS = ['TOP SECRET', 'OTHER SHARE SECRET', 'DATA DIR SECRET'];

/** Every spelling of "go up" or "start elsewhere" we could think of, raw as they go on the wire. */
const SPELLINGS = [
  '..',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '%25252e%25252e',
  '..%2f',
  '..%2F',
  '%2e%2e%2f',
  '%2e%2e/',
  '..%5c',
  '..\\',
  '%5c..%5c',
  '..%255c',
  '%c0%ae%c0%ae',
  '%c0%ae%c0%ae%c0%af',
  '%e0%80%ae%e0%80%ae',
  '%c0%af',
  '..%c0%af',
  '..%00',
  '%00',
  '..%0d%0a',
  'C:',
  'C:%5c',
  'C:%5cWindows',
  'c:%2f',
  '%5c%5cserver%5cshare',
  '....',
  '...%2f',
  '..;',
  ';..',
  '%u002e%u002e',
  '%ef%bc%8e%ef%bc%8e', // fullwidth full stops
  '.%00.',
];

describe('where a caller gets', () => {
  let host: HostProcess;
  let outer: string;
  let share: string;
  let outsideBefore: string;
  let shareBefore: Map<string, string>;
  const answers: { what: string; res: Answer }[] = [];

  const dav = async (
    what: string,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Answer> => {
    const res = await send(host.port, { method, path, headers: { authorization: ALICE, ...headers }, body });
    answers.push({ what: `${method} ${path} ${JSON.stringify(headers)}`, res });
    return res;
  };

  before(async () => {
    outer = await mkdtemp(join(tmpdir(), 'traversal-'));
    share = join(outer, 'box');
    await writeFile(join(outer, 'secret.txt'), 'TOP SECRET');
    await mkdir(join(outer, 'other'));
    await writeFile(join(outer, 'other', 'other-secret.txt'), 'OTHER SHARE SECRET');
    await mkdir(join(share, 'sub'), { recursive: true });
    await writeFile(join(share, 'file.txt'), 'a file in the share');
    await writeFile(join(share, 'sub', 'inner.txt'), 'inner');
    await symlink(join(outer, 'secret.txt'), join(share, 'link-out'));
    await symlink('../other', join(share, 'dirlink-out'));
    await symlink('link-out', join(share, 'link-to-link-out'));
    await symlink('file.txt', join(share, 'link-in'));
    await symlink('sub', join(share, 'dirlink-in'));
    await symlink('loop', join(share, 'loop'));
    await mkdir(join(share, '.~webdav-upload-dir'));
    await writeFile(join(share, '.~webdav-upload-0123.part'), 'half an upload');
    await writeFile(join(share, 'sub', '.~webdav-upload-4567.part'), 'half another upload');
    host = await startHost({
      settings: {
        'webdav.0.path': share,
        'webdav.0.webdavmount': 'box',
        'webdav.1.path': join(outer, 'other'),
        'webdav.1.webdavmount': 'other',
      },
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.box', 'WebDAV.main'] }],
    });
    await writeFile(join(host.dataDir, 'data-secret.txt'), 'DATA DIR SECRET');
    outsideBefore = await outsideShare();
    shareBefore = await snapshot(share);
  });
  after(async () => {
    await host?.stop();
    await rm(outer, { recursive: true, force: true });
  });

  /** Everything around the share: its siblings, and the host's data folder (but the database, which changes). */
  async function outsideShare(): Promise<string> {
    const around = [...(await snapshot(outer))].filter(([rel]) => !rel.startsWith('box/') && rel !== 'box');
    const data = [...(await snapshot(host.dataDir))].filter(([rel]) => !rel.startsWith('mediahost.sqlite3'));
    return JSON.stringify({ around, data });
  }

  /** No answer so far revealed a secret, and none was a server failure. */
  function assertNoLeak(): void {
    for (const { what, res } of answers) {
      assert.ok(res.status < 500, `${what}: ${res.status} ${res.text}`);
      for (const secret of SECRETS) assert.ok(!res.text.includes(secret), `${what} revealed ${secret}`);
      assert.ok(
        !res.text.includes(outer) && !res.text.includes(host.dataDir),
        `${what} revealed a server path: ${res.text}`,
      );
    }
  }

  /** Nothing outside the share changed; every entry the share had is still there, unchanged. */
  async function assertNothingOutsideChanged(): Promise<void> {
    assert.equal(await outsideShare(), outsideBefore);
    const now = await snapshot(share);
    for (const [rel, digest] of shareBefore) assert.equal(now.get(rel), digest, `${rel} changed inside the share`);
  }

  it('request paths: every traversal spelling, with every method', async () => {
    const templates = (s: string) => [
      `/webdav/box/${s}/secret.txt`,
      `/webdav/box/${s}/${s}/secret.txt`,
      `/webdav/box/sub/${s}/${s}/secret.txt`,
      `/webdav/box/${s}/other/other-secret.txt`,
      `/webdav/box/${s}`,
      `/webdav/${s}/other/other-secret.txt`,
      `/webdav/box/${s}/${s}/${s}/${s}/${s}/${s}/${s}/${s}/etc/passwd`,
    ];
    for (const spelling of SPELLINGS) {
      for (const path of templates(spelling)) {
        await dav('read', 'GET', path);
        await dav('list', 'PROPFIND', path, { depth: '1' });
        await dav('write', 'PUT', path, {}, 'pwned');
        await dav('delete', 'DELETE', path);
        await dav('mkcol', 'MKCOL', path);
        await dav('move out', 'MOVE', path, { destination: '/webdav/box/moved-here.txt' });
        await dav('copy out', 'COPY', path, { destination: '/webdav/box/copied-here.txt' });
        await dav('proppatch', 'PROPPATCH', path, { 'content-type': 'application/xml' }, PROPPATCH_BODY);
      }
    }
    // Absolute paths and doubled slashes stay inside the share.
    for (const path of [
      '/webdav/box//etc/passwd',
      '/webdav/box/%2fetc%2fpasswd',
      '/webdav/box/%2Fetc/passwd',
      '/webdav//box/../../secret.txt',
      'http://127.0.0.1/webdav/box/../secret.txt',
    ]) {
      await dav('absolute', 'GET', path);
      await dav('absolute', 'PUT', path, {}, 'pwned');
    }
    const statuses = new Set(answers.map((a) => a.res.status));
    assert.ok(
      answers.length > 1900 && statuses.has(400) && statuses.has(404),
      `${answers.length} answers: ${[...statuses]}`,
    );
    assertNoLeak();
    await assertNothingOutsideChanged();
  });

  it('request lines node:http refuses to send: raw NUL, CR/LF, spaces and backslashes', async () => {
    for (const path of [
      '/webdav/box/..\u0000/secret.txt',
      '/webdav/box/%2e%2e\r\nX: y/secret.txt',
      '/webdav/box/.. /secret.txt',
      '/webdav/box\\..\\secret.txt',
      '/webdav/box/\u00e4/../../secret.txt',
    ]) {
      for (const method of ['GET', 'PUT']) {
        const res = await rawExchange(
          host.port,
          Buffer.from(
            `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${ALICE}\r\nContent-Length: 5\r\nConnection: close\r\n\r\npwned`,
            'latin1',
          ),
          { timeoutMs: 3_000 },
        );
        assert.ok(res.status === 0 || res.status < 500, `${method} ${JSON.stringify(path)}: ${res.text}`);
        for (const secret of SECRETS) assert.ok(!res.text.includes(secret));
      }
    }
    await assertNothingOutsideChanged();
  });

  it('Destination: every spelling, as a path and as a URL, for COPY and MOVE', async () => {
    const authority = `127.0.0.1:${host.port}`;
    for (const spelling of SPELLINGS) {
      for (const destination of [
        `/webdav/box/${spelling}/pwned.txt`,
        `/webdav/box/${spelling}/${spelling}/secret.txt`,
        `/webdav/box/sub/${spelling}/${spelling}/other/pwned.txt`,
        `http://${authority}/webdav/box/${spelling}/${spelling}/secret.txt`,
        `https://${authority}/webdav/box/${spelling}/pwned.txt`,
        `/webdav/${spelling}/other/pwned.txt`,
      ]) {
        await dav('copy to', 'COPY', '/webdav/box/file.txt', { destination, overwrite: 'T' });
        await dav('copy dir to', 'COPY', '/webdav/box/sub/', { destination, overwrite: 'T' });
      }
    }
    // MOVE last, from a file of its own, so that one that works does not take file.txt away.
    await writeFile(join(share, 'movable.txt'), 'movable');
    for (const spelling of SPELLINGS) {
      const res = await dav('move to', 'MOVE', '/webdav/box/movable.txt', {
        destination: `/webdav/box/${spelling}/${spelling}/secret.txt`,
        overwrite: 'T',
      });
      if (res.status < 300) assert.fail(`MOVE to a traversal spelling ${spelling} worked: ${res.status}`);
    }
    assertNoLeak();
    await assertNothingOutsideChanged();
  });

  it('If resource tags: every spelling; a tag can neither read the state of a file outside nor unlock anything', async () => {
    // The secret's real entity tag: were a tag resolved to the file outside, this condition would hold.
    const etagOfSecret = etagOf(await stat(join(outer, 'secret.txt'), { bigint: true }));
    // The control: a tag naming a file inside the share, with its real tag, does hold.
    const etagOfFile = etagOf(await stat(join(share, 'file.txt'), { bigint: true }));
    assert.ok(
      (
        await dav(
          'if control',
          'PUT',
          '/webdav/box/if-target.txt',
          { if: `</webdav/box/file.txt> ([${etagOfFile}])` },
          'data',
        )
      ).status < 300,
    );
    for (const spelling of SPELLINGS) {
      for (const tag of [
        `/webdav/box/${spelling}/secret.txt`,
        `http://127.0.0.1:${host.port}/webdav/box/${spelling}/${spelling}/secret.txt`,
        `/webdav/${spelling}/other/other-secret.txt`,
      ]) {
        const res = await dav('if', 'PUT', '/webdav/box/if-target.txt', { if: `<${tag}> (Not <urn:x>)` }, 'data');
        // A tag outside the share never holds: the list is false (412), or the tag is malformed (400).
        assert.ok([400, 412].includes(res.status) || res.status < 300, `${tag}: ${res.status}`);
        const probe = await dav(
          'if etag',
          'PUT',
          '/webdav/box/if-target.txt',
          { if: `<${tag}> ([${etagOfSecret}])` },
          'data',
        );
        assert.ok([400, 412].includes(probe.status), `${tag} with an etag: ${probe.status}`);
      }
    }
    assertNoLeak();
    await assertNothingOutsideChanged();
  });

  it('a symlink leading outside the share is refused for reading and writing, and left out of listings', async () => {
    for (const [method, path, headers, body] of [
      ['GET', 'link-out', {}, undefined],
      ['HEAD', 'link-out', {}, undefined],
      ['PROPFIND', 'link-out', { depth: '0' }, undefined],
      ['PUT', 'link-out', {}, 'pwned'],
      ['DELETE', 'link-out', {}, undefined],
      ['MOVE', 'link-out', { destination: '/webdav/box/taken.txt' }, undefined],
      ['COPY', 'link-out', { destination: '/webdav/box/taken.txt' }, undefined],
      ['COPY', 'file.txt', { destination: '/webdav/box/link-out', overwrite: 'T' }, undefined],
      ['MOVE', 'sub/inner.txt', { destination: '/webdav/box/link-out', overwrite: 'T' }, undefined],
      ['PROPPATCH', 'link-out', { 'content-type': 'application/xml' }, PROPPATCH_BODY],
      ['LOCK', 'link-out', { 'content-type': 'application/xml' }, LOCK_BODY],
      ['GET', 'link-to-link-out', {}, undefined],
      ['PUT', 'link-to-link-out', {}, 'pwned'],
      ['GET', 'dirlink-out/other-secret.txt', {}, undefined],
      ['PROPFIND', 'dirlink-out/', { depth: '1' }, undefined],
      ['PUT', 'dirlink-out/new.txt', {}, 'pwned'],
      ['PUT', 'dirlink-out/other-secret.txt', {}, 'pwned'],
      ['MKCOL', 'dirlink-out/new', {}, undefined],
      ['DELETE', 'dirlink-out/other-secret.txt', {}, undefined],
      ['DELETE', 'dirlink-out', {}, undefined],
      ['MOVE', 'dirlink-out', { destination: '/webdav/box/taken/' }, undefined],
      ['COPY', 'dirlink-out/', { destination: '/webdav/box/taken/' }, undefined],
      ['COPY', 'sub/', { destination: '/webdav/box/dirlink-out/sub/' }, undefined],
      ['GET', 'loop', {}, undefined],
    ] as const) {
      const res = await dav('symlink out', method, `/webdav/box/${path}`, headers as Record<string, string>, body);
      assert.ok([403, 404, 409].includes(res.status), `${method} ${path}: ${res.status} ${res.text}`);
    }
    const listing = await dav('listing', 'PROPFIND', '/webdav/box/', { depth: '1' });
    assert.equal(listing.status, 207);
    assert.doesNotMatch(listing.text, /link-out|dirlink-out|\/loop</);
    const index = await dav('index', 'GET', '/webdav/box/');
    assert.equal(index.status, 200);
    assert.doesNotMatch(index.text, /link-out|dirlink-out/);
    assertNoLeak();
    await assertNothingOutsideChanged();
    assert.equal(await readlink(join(share, 'link-out')), join(outer, 'secret.txt'), 'the link itself is left alone');
  });

  it('a symlink to a file inside the share reads as that file; writes replace the link, never the file behind it', async () => {
    const read = await dav('link in', 'GET', '/webdav/box/link-in');
    assert.equal(read.status, 200);
    assert.equal(read.text, 'a file in the share');
    const folder = await dav('dirlink in', 'PROPFIND', '/webdav/box/dirlink-in/', { depth: '1' });
    assert.equal(folder.status, 207);
    assert.match(folder.text, /inner\.txt/);
    const listing = await dav('listing', 'PROPFIND', '/webdav/box/', { depth: '1' });
    assert.match(listing.text, /\/webdav\/box\/link-in</);
    assert.match(listing.text, /\/webdav\/box\/dirlink-in\/</);

    assert.ok((await dav('put link', 'PUT', '/webdav/box/link-in', {}, 'new content')).status < 300);
    assert.equal(await readFile(join(share, 'file.txt'), 'utf8'), 'a file in the share', 'the target is untouched');
    assert.ok(!(await lstat(join(share, 'link-in'))).isSymbolicLink(), 'the link became a file of its own');
    assert.equal(await readFile(join(share, 'link-in'), 'utf8'), 'new content');

    assert.equal((await dav('delete dirlink', 'DELETE', '/webdav/box/dirlink-in')).status, 204);
    assert.equal(
      await readFile(join(share, 'sub', 'inner.txt'), 'utf8'),
      'inner',
      'deleting the link keeps the folder behind it',
    );
    await symlink('sub', join(share, 'dirlink-in'));
    await symlink('file.txt', join(share, 'link-in-2'));
    assert.equal((await dav('delete link', 'DELETE', '/webdav/box/link-in-2')).status, 204);
    assert.equal(await readFile(join(share, 'file.txt'), 'utf8'), 'a file in the share');
    // The share as it was, again.
    await rm(join(share, 'link-in'));
    await symlink('file.txt', join(share, 'link-in'));
    assertNoLeak();
    await assertNothingOutsideChanged();
  });

  it('upload temporaries are never listed, served, moved, copied, locked or deleted, under any spelling', async () => {
    const hidden = [
      '.~webdav-upload-0123.part',
      'sub/.~webdav-upload-4567.part',
      '.~webdav-upload-dir/',
      '%2E~webdav-upload-0123.part',
      '.%7Ewebdav-upload-0123.part',
    ];
    for (const depth of ['0', '1']) {
      for (const folder of ['/webdav/box/', '/webdav/box/sub/']) {
        const listing = await dav('listing', 'PROPFIND', folder, { depth });
        assert.equal(listing.status, 207, `PROPFIND ${folder} Depth ${depth}: ${listing.text}`);
        assert.doesNotMatch(listing.text, /webdav-upload/);
      }
    }
    for (const folder of ['/webdav/box/', '/webdav/box/sub/']) {
      const index = await dav('index', 'GET', folder);
      assert.equal(index.status, 200, `GET ${folder}`);
      assert.doesNotMatch(index.text, /webdav-upload/);
    }
    for (const name of hidden) {
      const path = `/webdav/box/${name}`;
      for (const [method, headers, body] of [
        ['GET', {}, undefined],
        ['HEAD', {}, undefined],
        ['PROPFIND', { depth: '0' }, undefined],
        ['DELETE', {}, undefined],
        ['MOVE', { destination: '/webdav/box/revealed.txt' }, undefined],
        ['COPY', { destination: '/webdav/box/revealed.txt' }, undefined],
        ['PUT', {}, 'overwritten'],
        ['MKCOL', {}, undefined],
        ['PROPPATCH', { 'content-type': 'application/xml' }, PROPPATCH_BODY],
        ['LOCK', { 'content-type': 'application/xml' }, LOCK_BODY],
      ] as const) {
        const res = await dav('temporary', method, path, headers as Record<string, string>, body);
        assert.ok([400, 403, 404, 405, 409].includes(res.status), `${method} ${name}: ${res.status}`);
        assert.doesNotMatch(res.text, /half an?( another)? upload/);
      }
      // Nor can anything be copied or moved onto one.
      for (const method of ['COPY', 'MOVE']) {
        const res = await dav('onto temporary', method, '/webdav/box/sub/inner.txt', {
          destination: path,
          overwrite: 'T',
        });
        assert.ok([400, 403, 404, 409].includes(res.status), `${method} onto ${name}: ${res.status}`);
      }
    }
    assert.equal(await readFile(join(share, '.~webdav-upload-0123.part'), 'utf8'), 'half an upload');
    assert.equal(await readFile(join(share, 'sub', '.~webdav-upload-4567.part'), 'utf8'), 'half another upload');
    assertNoLeak();
    await assertNothingOutsideChanged();
  });

  it('a known folder swapped for a symlink to outside while the server runs: the next request is refused', async () => {
    // Outside every share: where the swapped-in links lead.
    const elsewhere = await mkdtemp(join(tmpdir(), 'traversal-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'photo.txt'), 'SWAPPED SECRET');
      await mkdir(join(elsewhere, 'a', 'b'), { recursive: true });
      await writeFile(join(elsewhere, 'a', 'b', 'photo.txt'), 'SWAPPED SECRET');
      const elsewhereBefore = await snapshot(elsewhere);

      for (const round of [1, 2]) {
        // Folders the server reads, so that it knows them: a folder, and one three levels down.
        const swap = `swap${round}`;
        const deep = `deep${round}`;
        await mkdir(join(share, swap));
        await writeFile(join(share, swap, 'photo.txt'), 'inside');
        await mkdir(join(share, deep, 'a', 'b'), { recursive: true });
        await writeFile(join(share, deep, 'a', 'b', 'photo.txt'), 'deep inside');
        for (const path of [`${swap}/photo.txt`, `${deep}/a/b/photo.txt`]) {
          const read = await dav('warm', 'GET', `/webdav/box/${path}`);
          assert.equal(read.status, 200, `GET ${path}`);
        }
        for (const path of [`${swap}/`, `${deep}/a/b/`]) {
          assert.equal((await dav('warm', 'PROPFIND', `/webdav/box/${path}`, { depth: '1' })).status, 207);
        }

        // Swapped: the folder moves away (inside the share) and a link to outside takes its name.
        await rename(join(share, swap), join(share, `${swap}-old`));
        await symlink(elsewhere, join(share, swap));
        await rename(join(share, deep), join(share, `${deep}-old`));
        await symlink(elsewhere, join(share, deep));

        // Round 1 reads first, round 2 writes first: each is the very next request after the swap.
        const reads = [
          ['GET', `${swap}/photo.txt`, {}, undefined],
          ['GET', `${deep}/a/b/photo.txt`, {}, undefined],
          ['PROPFIND', `${swap}/`, { depth: '1' }, undefined],
          ['PROPFIND', `${deep}/a/b/`, { depth: '1' }, undefined],
          ['PROPFIND', `${deep}/a/b/photo.txt`, { depth: '0' }, undefined],
        ] as const;
        const writes = [
          ['PUT', `${swap}/new.txt`, {}, 'pwned'],
          ['PUT', `${deep}/a/b/photo.txt`, {}, 'pwned'],
          ['MKCOL', `${deep}/a/b/new`, {}, undefined],
          ['DELETE', `${deep}/a/b/photo.txt`, {}, undefined],
          ['MOVE', `${swap}/photo.txt`, { destination: '/webdav/box/taken.txt' }, undefined],
          ['COPY', `${deep}/a/b/photo.txt`, { destination: '/webdav/box/taken.txt' }, undefined],
          ['PROPPATCH', `${swap}/photo.txt`, { 'content-type': 'application/xml' }, PROPPATCH_BODY],
        ] as const;
        for (const [method, path, headers, body] of round === 1 ? [...reads, ...writes] : [...writes, ...reads]) {
          const res = await dav('swapped', method, `/webdav/box/${path}`, headers as Record<string, string>, body);
          assert.ok([403, 404, 409].includes(res.status), `${method} ${path}: ${res.status} ${res.text}`);
          assert.doesNotMatch(res.text, /SWAPPED SECRET/);
        }
        assert.deepEqual(await snapshot(elsewhere), elsewhereBefore, 'nothing outside was written');
        // The folders that moved away are intact.
        assert.equal(await readFile(join(share, `${swap}-old`, 'photo.txt'), 'utf8'), 'inside');
        assert.equal(await readFile(join(share, `${deep}-old`, 'a', 'b', 'photo.txt'), 'utf8'), 'deep inside');
        await rm(join(share, swap));
        await rm(join(share, deep));
      }
      assertNoLeak();
      await assertNothingOutsideChanged();
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
