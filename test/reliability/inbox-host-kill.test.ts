/**
 * The real host killed with SIGKILL while its inbox files (docs/inbox.md,
 * "Nothing is lost"): 40 photos in dropped folders, whose names collide,
 * and a ZIP of 20 lie in the inbox when the host starts; it is killed at a
 * random moment of its filing, started again on the same data folder, and
 * killed again, round after round. After every kill each original is whole
 * in the inbox or under a month folder, and no file under a final name is
 * half written; a last start without a kill files every original exactly
 * once and leaves the inbox empty.
 *
 * What a kill took out of the inbox is dropped again before the next start,
 * so every round has work to be killed in, and from the second round on the
 * inbox also drops copies it finds filed already (the duplicate path).
 * test/reliability/inbox-crash.test.ts kills the filer alone, many more times.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isTemporaryName } from '../../plugin/store/temporary-names.js';
import { eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { jpegWithExif, jpegWithoutExif, writeFixture } from '../helpers/media-fixtures.js';
import { sha256, snapshot } from '../helpers/system.js';
import { writeZip } from '../helpers/zip-fixtures.js';

const KILLS = 10;
/** Older than any settle time: only the ctime of a fresh write holds a file back (settled-items.ts). */
const DROPPED_AT = new Date('2020-01-01T12:00:00Z');

interface Original {
  /** Below the inbox. */
  readonly path: string;
  readonly data: Buffer;
}

/** 40 photos in 4 folders of a card, 10 names, 3 months (and a few without a date, filed by their mtime); a ZIP of 20. */
function makeDrop(): { loose: Original[]; members: { name: string; data: Buffer }[] } {
  const loose = Array.from({ length: 40 }, (_, i) => ({
    path: `card-${Math.floor(i / 10)}/IMG_${String(i % 10).padStart(4, '0')}.jpg`,
    data:
      i % 8 === 7
        ? jpegWithoutExif(i)
        : jpegWithExif({ dateTimeOriginal: `2023:0${1 + (i % 3)}:10 12:00:00`, seed: i, width: 48, height: 48 }),
  }));
  const members = Array.from({ length: 20 }, (_, i) => ({
    name: `DCIM/10${Math.floor(i / 5)}/IMG_${String(i % 5).padStart(4, '0')}.jpg`,
    data: jpegWithExif({ dateTimeOriginal: `2022:1${i % 3}:05 10:00:00`, seed: 100 + i, width: 48, height: 48 }),
  }));
  return { loose, members };
}

/** Every file of the share but the temporaries, path -> SHA-256. */
async function filesOf(share: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, what] of await snapshot(share))
    if (what !== 'dir' && !path.split('/').some(isTemporaryName)) files.set(path, what);
  return files;
}

/** A log line of the inbox's: one per file filed, dropped or refused (inbox-filer.ts). */
const isFiling = (record: Record<string, unknown>): boolean => String(record['msg']).startsWith('inbox: ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('the real host killed while its inbox files', () => {
  it(`loses nothing and writes no half file over ${KILLS} kills; a last run files each original once`, async (t) => {
    const base = await mkdtemp(join(tmpdir(), 'inbox-host-kill-'));
    const hosts: HostProcess[] = [];
    t.after(async () => {
      for (const host of hosts) await host.stop();
      await rm(base, { recursive: true, force: true });
    });
    const drop = makeDrop();
    const loose = drop.loose.map((file) => sha256(file.data));
    const members = drop.members.map((member) => sha256(member.data));

    /** Drops into the inbox what is not there (a new file: a leftover may share its inode with a filed copy). */
    const layMissing = async (share: string, zipBytes?: Buffer): Promise<void> => {
      for (const file of drop.loose)
        if (!(await exists(join(share, 'Inbox', file.path))))
          await writeFixture(join(share, 'Inbox'), file.path, file.data, DROPPED_AT);
      const zip = join(share, 'Inbox', 'phone.zip');
      if (await exists(zip)) return;
      if (zipBytes) await writeFixture(join(share, 'Inbox'), 'phone.zip', zipBytes, DROPPED_AT);
      else
        await writeZip(
          zip,
          drop.members.map((member) => ({ ...member, mtime: DROPPED_AT })),
        );
    };
    const start = async (dataDir: string, share: string, seed: boolean): Promise<HostProcess> => {
      const host = await startHost({
        dataDir,
        seed,
        settings: {
          'robot.root.0.path': share,
          'robot.root.0.webdavmount': 'main',
          'robot.root.0.webdavinbox': 'Inbox',
          'webdav.inbox.settle': '1',
        },
      });
      hosts.push(host);
      return host;
    };
    /** Milliseconds from the host's "listening" line to a log record. */
    const sinceListening = (host: HostProcess, record: Record<string, unknown>): number =>
      Number(record['time']) - Number(host.logRecords().find((r) => r['msg'] === 'listening')!['time']);

    // When the filing happens after a start, measured on a copy without a kill.
    const timing = { data: join(base, 'timing-data'), share: join(base, 'timing-share') };
    await mkdir(timing.data, { recursive: true });
    await layMissing(timing.share);
    const zipBytes = await readFile(join(timing.share, 'Inbox', 'phone.zip'));
    const zip = sha256(zipBytes);
    const known = new Set([...loose, ...members, zip]);
    const timed = await start(timing.data, timing.share, true);
    await eventually(async () => assert.deepEqual([...(await filesOf(join(timing.share, 'Inbox')))], []), 20_000);
    const filings = timed.logRecords().filter(isFiling);
    await timed.stop();
    const firstMs = sinceListening(timed, filings[0]!);
    const passMs = sinceListening(timed, filings.at(-1)!) - firstMs;

    const dataDir = join(base, 'data');
    const share = join(base, 'share');
    await mkdir(dataDir, { recursive: true });
    let midway = 0;
    for (let round = 0; round < KILLS; round++) {
      await layMissing(share, zipBytes);
      const host = await start(dataDir, share, round === 0);
      // A random moment of the filing: shortly before its first move, or up
      // to its length after the first one was logged (a start takes its
      // own, varying, time, so a moment counted from the start mostly misses).
      const offset = randomInt(-50, passMs + 20);
      if (offset < 0) await sleep(firstMs + offset);
      else {
        await host.waitForLog(isFiling, 20_000);
        await sleep(offset);
      }
      host.child.kill('SIGKILL');
      assert.equal((await host.stop()).signal, 'SIGKILL', `round ${round}: the host lived until the kill`);

      const files = await filesOf(share);
      for (const [path, hash] of files) assert.ok(known.has(hash), `round ${round}: ${path} is no whole original`);
      const inInbox = new Set([...files].filter(([path]) => path.startsWith('Inbox/')).map(([, hash]) => hash));
      const filed = [...files].filter(([path]) => /^\d{4}\/\d{4}-\d{2}\/[^/]+$/.test(path)).map(([, hash]) => hash);
      assert.deepEqual(
        [...files.keys()].filter((path) => !path.startsWith('Inbox/') && !/^\d{4}\//.test(path)),
        [],
        `round ${round}: nothing lies outside the inbox and the month folders`,
      );
      assert.ok(!(await exists(join(share, 'Inbox', 'failed'))), `round ${round}: nothing was refused`);
      for (const [i, hash] of loose.entries())
        assert.ok(inInbox.has(hash) || filed.includes(hash), `round ${round}: ${drop.loose[i]!.path} is lost`);
      if (!inInbox.has(zip))
        for (const [i, hash] of members.entries())
          assert.ok(filed.includes(hash), `round ${round}: the ZIP is gone, its ${drop.members[i]!.name} is not filed`);
      const filing = host.logRecords().some(isFiling);
      if (filing && inInbox.size > 0) midway += 1;
    }

    // A last run without a kill finishes the job.
    const last = await start(dataDir, share, false);
    await eventually(
      async () => {
        const left = [...(await snapshot(join(share, 'Inbox'))).keys()].filter(
          (path) => !path.split('/').some(isTemporaryName),
        );
        assert.deepEqual(left, [], 'the inbox is empty');
      },
      20_000,
      200,
    );
    await last.stop();
    const files = await filesOf(share);
    assert.ok(
      [...files.keys()].every((path) => /^\d{4}\/\d{4}-\d{2}\/[^/]+$/.test(path)),
      [...files.keys()].join(),
    );
    assert.deepEqual([...files.values()].sort(), [...loose, ...members].sort(), 'every original exactly once');
    const leftovers = [...(await snapshot(share)).keys()].filter((path) => path.split('/').some(isTemporaryName));
    t.diagnostic(
      `${midway} of ${KILLS} kills landed while the inbox was part filed (an uninterrupted ` +
        `filing took ${passMs} ms); ${leftovers.length} temporary files left for the sweeper`,
    );
  });
});
