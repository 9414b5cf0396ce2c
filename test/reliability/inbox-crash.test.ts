/**
 * The inbox loses nothing when its process dies (plugin/inbox/durable-move.ts,
 * docs/inbox.md): a filing pass in a child process is killed with SIGKILL at
 * random moments, over loose files whose names collide and a ZIP. After
 * every kill each original content is in the inbox or under a month folder,
 * and no file under a final name is half-written; one more pass then files
 * everything, and nothing is there twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isTemporaryName } from '../../plugin/store/temporary-names.js';
import { eagerFiler } from '../helpers/inbox.js';
import { sha256, snapshot, tempFolder } from '../helpers/system.js';
import { writeZip } from '../helpers/zip-fixtures.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'inbox-crash-child.js');
const KILLS = 32;
const MONTHS = [new Date('2024-05-17T12:00:00Z'), new Date('2023-12-24T12:00:00Z'), new Date('2024-06-01T12:00:00Z')];

interface Loose {
  readonly path: string;
  readonly data: Buffer;
  readonly modified: Date;
}

/** The same drop for every round: colliding names in two folders, and a ZIP. */
function makeDrop() {
  const loose: Loose[] = [];
  for (let i = 0; i < 24; i++)
    loose.push({
      path: `card-${i % 3}/IMG_${String(i % 8).padStart(4, '0')}.jpg`, // 24 paths, 8 names
      data: randomBytes(randomInt(16 * 1024, 256 * 1024)),
      modified: MONTHS[i % MONTHS.length]!,
    });
  const members = Array.from({ length: 8 }, (_, i) => ({
    name: `DCIM/10${i % 3}/IMG_${String(i % 4).padStart(4, '0')}.jpg`, // 8 paths, 4 names
    data: randomBytes(64 * 1024),
    mtime: new Date(2024, 4, 10 + i, 12),
  }));
  /** Already filed before the drop, under a name the drop uses. */
  const existing = { path: '2024/2024-05/IMG_0000.jpg', data: randomBytes(1000) };
  return { loose, members, existing };
}

type Drop = ReturnType<typeof makeDrop>;

async function lay(root: string, drop: Drop): Promise<void> {
  await mkdir(join(root, dirname(drop.existing.path)), { recursive: true });
  await writeFile(join(root, drop.existing.path), drop.existing.data);
  for (const file of drop.loose) {
    const path = join(root, 'Inbox', file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.data);
    await utimes(path, file.modified, file.modified);
  }
  await writeZip(join(root, 'Inbox', 'phone.zip'), drop.members);
}

/**
 * One pass in a child, killed `afterMs` after it says it starts (or not,
 * when null); answers whether it finished, and how long it ran from there.
 */
function runChild(root: string, afterMs: number | null): Promise<{ finished: boolean; ranMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let readyAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (readyAt === 0 && output.includes('ready')) {
        readyAt = Date.now();
        if (afterMs !== null) setTimeout(() => child.kill('SIGKILL'), afterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ finished: output.includes('done'), ranMs: Date.now() - readyAt }));
  });
}

/** Files of the share (temporaries aside): path -> SHA-256. */
async function filesOf(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, what] of await snapshot(root))
    if (what !== 'dir' && !path.split('/').some(isTemporaryName)) files.set(path, what);
  return files;
}

describe('the inbox killed at random moments', () => {
  it(`loses nothing and writes no half file, over ${KILLS} kills, and a last pass doubles nothing`, async (t) => {
    const base = await realpath(await tempFolder(t, 'inbox-crash-'));
    const drop = makeDrop();
    const looseHashes = drop.loose.map((file) => sha256(file.data));
    const memberHashes = drop.members.map((member) => sha256(member.data));
    const zipHash = sha256(
      await (async () => {
        const probe = join(base, 'probe');
        await lay(probe, drop);
        const bytes = await readFile(join(probe, 'Inbox', 'phone.zip'));
        await rm(probe, { recursive: true });
        return bytes;
      })(),
    );
    const known = new Set([...looseHashes, ...memberHashes, zipHash, sha256(drop.existing.data)]);

    // How long an uninterrupted pass takes here, to spread the kills over it.
    const timing = join(base, 'timing');
    await lay(timing, drop);
    const uninterrupted = await runChild(timing, null);
    assert.equal(uninterrupted.finished, true);
    const passMs = Math.max(uninterrupted.ranMs, 10);

    let midway = 0;
    for (let round = 0; round < KILLS; round++) {
      const root = join(base, `round-${round}`);
      await lay(root, drop);
      const { finished } = await runChild(root, randomInt(0, passMs));
      const files = await filesOf(root);
      const inInbox = new Set([...files].filter(([path]) => path.startsWith('Inbox/')).map(([, hash]) => hash));
      const filed = [...files].filter(([path]) => /^\d{4}\//.test(path)).map(([, hash]) => hash);
      for (const [path, hash] of files) assert.ok(known.has(hash), `round ${round}: ${path} is no whole original`);
      for (const [i, hash] of looseHashes.entries())
        assert.ok(inInbox.has(hash) || filed.includes(hash), `round ${round}: ${drop.loose[i]!.path} is lost`);
      if (!inInbox.has(zipHash))
        for (const [i, hash] of memberHashes.entries())
          assert.ok(filed.includes(hash), `round ${round}: the ZIP is gone, its ${drop.members[i]!.name} is not filed`);
      if (!finished && inInbox.size > 0 && filed.length > 1) midway += 1;

      // The crash's hard links changed ctimes just now.
      const filer = eagerFiler(root, { now: () => Date.now() + 3600_000 });
      await filer.fileSettled();
      const after = await filesOf(root);
      assert.deepEqual(
        [...after.keys()].filter((path) => path.startsWith('Inbox/')),
        [],
        `round ${round}: the inbox is empty`,
      );
      assert.deepEqual(
        [...after.values()].sort(),
        [...looseHashes, ...memberHashes, sha256(drop.existing.data)].sort(),
        `round ${round}: every original exactly once`,
      );
      await rm(root, { recursive: true });
    }
    t.diagnostic(`${midway} of ${KILLS} kills landed while the inbox was half filed (pass: ${passMs} ms)`);
  });
});
