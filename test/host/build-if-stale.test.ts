/**
 * `npm start` builds only when it must (scripts/build-if-stale.mjs), tried
 * on a small checkout of its own (BUILD_IF_STALE_ROOT) whose `npm run build`
 * counts its runs and marks its start and end the way the real one does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/host-process.js';
import { tempFolder } from '../helpers/system.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'build-if-stale.mjs');

const SOURCES = [
  'plugin/index.ts',
  'plugin/dav/get.ts',
  'host/start.ts',
  'admin-ui/webdav-admin.ts',
  'schemas/settings.schema.json',
  'scripts/build-ui.mjs',
  'tsconfig.json',
  'package-lock.json',
];

/** A checkout whose build appends a line to builds.log, running `during` (shell) in the middle. */
async function checkout(t: TestContext, during = 'true'): Promise<string> {
  const root = await tempFolder(t, 'build-if-stale-');
  for (const file of [...SOURCES, 'test/host/web.test.ts']) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), '// source\n');
  }
  const mark = (step: string): string => `node ${JSON.stringify(SCRIPT)} --build-${step}`;
  const build = `${mark('started')} && echo built >> builds.log && ${during} && ${mark('finished')}`;
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'checkout', scripts: { build } }));
  return root;
}

function run(root: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT], {
    env: { ...process.env, BUILD_IF_STALE_ROOT: root },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

const builds = async (root: string): Promise<number> =>
  (await readFile(path.join(root, 'builds.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

/** Every file and folder of the checkout `secondsAgo` old, the stamp included. */
async function age(root: string, secondsAgo: number, files: readonly string[]): Promise<void> {
  const when = Date.now() / 1000 - secondsAgo;
  for (const file of files) await utimes(path.join(root, file), when, when);
}

const ALL_PATHS: readonly string[] = [
  ...SOURCES,
  ...new Set(SOURCES.map((s) => path.dirname(s)).filter((d) => d !== '.')),
  'package.json',
  'dist/.built',
];

describe('npm start builds only a stale dist/', () => {
  it('builds when there is no dist/, then starts straight away while nothing changed', async (t) => {
    const root = await checkout(t);
    const first = run(root);
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, /there is no finished build in dist\/; building/);
    assert.equal(await builds(root), 1);
    assert.ok((await stat(path.join(root, 'dist', '.built'))).isFile());
    await assert.rejects(stat(path.join(root, 'dist', '.building')), { code: 'ENOENT' });

    const second = run(root);
    assert.equal(second.status, 0, second.output);
    assert.match(second.output, /dist\/ is up to date/);
    assert.equal(await builds(root), 1, 'no second build');
  });

  it('builds when any source is newer than the last build, and names it', async (t) => {
    const root = await checkout(t);
    assert.equal(run(root).status, 0);
    let expected = 1;
    for (const source of [...SOURCES, 'package.json']) {
      await age(root, 100, ALL_PATHS);
      await age(root, 50, [source]);
      const result = run(root);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, new RegExp(`${source.replace(/\./g, '\\.')} changed since the last build`));
      assert.equal(await builds(root), ++expected, source);
    }
  });

  it('builds when a source file was deleted, and not for a change to the tests', async (t) => {
    const root = await checkout(t);
    assert.equal(run(root).status, 0);
    await age(root, 100, ALL_PATHS);
    await writeFile(path.join(root, 'test', 'host', 'web.test.ts'), '// changed\n');
    assert.match(run(root).output, /up to date/);
    assert.equal(await builds(root), 1);

    await rm(path.join(root, 'plugin', 'dav', 'get.ts'));
    const result = run(root);
    assert.match(result.output, /plugin\/dav changed since the last build/);
    assert.equal(await builds(root), 2);
  });

  it('builds again after a build during which a source was saved', async (t) => {
    const root = await checkout(t, `sleep 0.05 && echo changed > host/start.ts`);
    assert.equal(run(root).status, 0);
    const next = run(root);
    assert.match(next.output, /host\/start\.ts changed since the last build/);
    assert.equal(await builds(root), 2);
  });

  it('a failed build leaves no stamp and stops npm start; the next start tries again', async (t) => {
    const root = await checkout(t, 'exit 3');
    const failed = run(root);
    assert.equal(failed.status, 3, failed.output);
    assert.match(failed.output, /the build failed \(exit code 3\)/);
    await assert.rejects(stat(path.join(root, 'dist', '.built')), { code: 'ENOENT' });
    assert.match(run(root).output, /there is no finished build/);
    assert.equal(await builds(root), 2);
  });
});
