#!/usr/bin/env node
/**
 * Builds only what needs building, so that `npm start` on a built tree is up
 * in a few seconds instead of compiling everything first.
 *
 *   node scripts/build-if-stale.mjs                   # `npm start`: runs `npm run build` when dist/ is stale
 *   node scripts/build-if-stale.mjs --build-started   # first step of `npm run build`: a clean dist/
 *   node scripts/build-if-stale.mjs --build-finished  # last step of `npm run build`: the stamp
 *
 * The stamp is dist/.built. It is created when a build starts and renamed
 * into place when it finishes, so its time is the build's start: a source
 * saved while the build ran is newer, and the next start builds again; a
 * build that failed leaves no stamp. dist/ is stale when there is no stamp
 * or when a source the server is built from is newer than it. Folders count
 * too, as a deleted file changes only its folder's time.
 *
 * BUILD_IF_STALE_ROOT names another checkout to look at (the tests use it).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  process.env.BUILD_IF_STALE_ROOT || path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
);
const dist = path.join(root, 'dist');
const STAMP = path.join(dist, '.built');
const STARTED = path.join(dist, '.building');

/** What `npm start` runs is built from these (test/ and bench/ are not needed to start). */
const SOURCE_FOLDERS = ['plugin', 'host', 'admin-ui', 'schemas'];
const SOURCE_FILES = /^(?:tsconfig.*\.json|package\.json|package-lock\.json)$/;
const BUILD_SCRIPTS = ['scripts/build-ui.mjs'];

/** The newest file or folder at or below `p`: { file, time }, or null when `p` does not exist. */
function newestBelow(p) {
  let info;
  try {
    info = statSync(p);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  let newest = { file: p, time: info.mtimeMs };
  if (info.isDirectory()) {
    for (const name of readdirSync(p)) {
      const found = newestBelow(path.join(p, name));
      if (found && found.time > newest.time) newest = found;
    }
  }
  return newest;
}

function newestSource() {
  const candidates = [
    ...SOURCE_FOLDERS,
    ...BUILD_SCRIPTS,
    ...readdirSync(root).filter((name) => SOURCE_FILES.test(name)),
  ].map((p) => newestBelow(path.join(root, p)));
  return candidates.reduce((a, b) => (b && (!a || b.time > a.time) ? b : a), null);
}

/** Why dist/ must be built, or null when it is up to date. */
function staleness() {
  const stamp = newestBelow(STAMP);
  if (!stamp) return 'there is no finished build in dist/';
  const source = newestSource();
  if (source && source.time > stamp.time) return `${path.relative(root, source.file)} changed since the last build`;
  return null;
}

const mode = process.argv[2];
if (mode === '--build-started') {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist);
  writeFileSync(STARTED, `${new Date().toISOString()}\n`);
} else if (mode === '--build-finished') {
  renameSync(STARTED, STAMP);
} else if (mode === undefined) {
  const reason = staleness();
  if (reason === null) {
    console.log('build-if-stale: dist/ is up to date');
  } else {
    console.log(`build-if-stale: ${reason}; building (npm run build)`);
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.error) throw build.error;
    if (build.status !== 0) {
      console.error(`build-if-stale: the build failed (exit code ${build.status ?? build.signal})`);
      process.exit(build.status || 1);
    }
  }
} else {
  console.error(`build-if-stale: unknown argument ${mode} (known: --build-started, --build-finished)`);
  process.exit(2);
}
