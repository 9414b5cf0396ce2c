/**
 * The workloads, in the order they run. Each measures one server once:
 * run(server, w) → { metric: value }; the runner repeats it, takes medians
 * and records our server's peak RSS around it. `warmup` runs once per server
 * before its first measured run and is not timed (and checks the answer).
 *
 * Metrics: `better` says which way is good; `agg` how runs combine
 * (median unless said otherwise).
 */
import { rm, readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { download, propfind, upload, uploadMany } from './lib/curl.mjs';
import { DATED_COUNT, listingFolder, sizes } from './lib/data.mjs';
import { run } from './lib/proc.mjs';
import { wrk } from './lib/wrk.mjs';

const { MiB } = sizes;
const UPLOAD_WARMUP_COUNT = 200;

export const METRICS = {
  rps: { label: 'req/s', better: 'higher', digits: 0 },
  p50: { label: 'p50 ms', better: 'lower', digits: 2 },
  p99: { label: 'p99 ms', better: 'lower', digits: 2 },
  errors: { label: 'errors', better: 'lower', digits: 0, agg: 'sum' },
  seconds: { label: 'time s', better: 'lower', digits: 3 },
  mbps: { label: 'MB/s', better: 'higher', digits: 0 },
  fps: { label: 'files/s', better: 'higher', digits: 0 },
  rss: { label: 'ours peak RSS MB', better: 'lower', digits: 0, agg: 'max', oursOnly: true },
  folderSeconds: { label: 'real folder s', better: 'lower', digits: 3, oursOnly: true },
  ratio: { label: 'view ÷ real folder', better: 'lower', digits: 2, oursOnly: true },
};

const url = (srv, p) => `${srv.base}${p}`;

async function clearUploads(srv) {
  if (!srv.uploadDir) return;
  await sleep(300); // let a server finish with uploads cut off at the end of a wrk run
  for (const name of await readdir(srv.uploadDir))
    await rm(path.join(srv.uploadDir, name), { recursive: true, force: true });
}

/** Dirty pages of earlier uploads go to disk before a timed upload, so runs do not pay for each other. */
const syncDisks = () => run('sync', [], { timeoutMs: 300_000 });

/**
 * The whole file read once into the page cache before each run. Without it
 * the server that goes first in a run (another one each run) meets the
 * disk for most of its random ranges and the ones after it do not, so the
 * figures were the disk's more than the servers' (Apache 685 and 2,475
 * req/s in two runs of one round).
 */
const intoPageCache = (file) =>
  run('dd', [`if=${file}`, 'of=/dev/null', 'bs=1M', 'status=none'], { timeoutMs: 300_000 });

function wrkWorkload({ id, title, connections, path: rel, script, env = {}, seconds = 'wrkSeconds' }) {
  const go = (srv, w, secs) =>
    wrk({
      url: url(srv, srv.dataPath + rel),
      script,
      connections,
      seconds: secs,
      auth: w.ctx.authHeader,
      env,
    });
  return {
    id,
    title: title.replace('{conn}', `${connections} conn`),
    metrics: ['rps', 'p50', 'p99', 'errors', 'rss'],
    primary: 'rps',
    describe: (p) => `${title.replace('{conn}', `${connections} connections`)}, ${p[seconds]} s`,
    warmup: (srv, w) => go(srv, w, w.profile.warmupSeconds),
    run: async (srv, w) => {
      const r = await go(srv, w, w.profile[seconds]);
      return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, detail: r.errorDetail };
    },
  };
}

function listingWorkload(n) {
  const folder = `${listingFolder(n)}/`;
  return {
    id: `propfind-${n / 1000}k`,
    title: `PROPFIND depth 1, ${n.toLocaleString('en')} files`,
    metrics: ['seconds', 'errors', 'rss'],
    primary: 'seconds',
    available: (p) => p.listings.includes(n),
    describe: () => `PROPFIND Depth 1 of a folder of ${n.toLocaleString('en')} photos, timed by curl`,
    warmup: async (srv, w) => {
      const out = path.join(w.workDir, `listing-${srv.id}.xml`);
      const r = await propfind(w.ctx, url(srv, srv.dataPath + folder), { output: out });
      const body = readFileSync(out, 'latin1');
      const responses = (body.match(/<(?:[A-Za-z][\w.-]*:)?response[\s>]/g) ?? []).length;
      await rm(out, { force: true });
      if (r.status !== 207 || responses !== n + 1)
        throw new Error(`PROPFIND answered ${r.status} with ${responses} entries, expected 207 with ${n + 1}`);
    },
    run: async (srv, w) => {
      const r = await propfind(w.ctx, url(srv, srv.dataPath + folder));
      return { seconds: r.seconds, errors: r.status === 207 ? 0 : 1 };
    },
  };
}

const VIEW_MONTH = '/webdav/benchdates/2024/2024-05/';
const DATED_FOLDER = '/webdav/benchdated/';

/** The entries of a Depth 1 PROPFIND answer (the folder's own included). */
async function countedPropfind(w, target, name) {
  const out = path.join(w.workDir, `${name}.xml`);
  const r = await propfind(w.ctx, target, { output: out });
  const body = readFileSync(out, 'latin1');
  await rm(out, { force: true });
  return { status: r.status, entries: (body.match(/<(?:[A-Za-z][\w.-]*:)?response[\s>]/g) ?? []).length };
}

/**
 * Our date view against our own real folder (issue 13): a month of 5,000
 * photos listed through the view, and the real folder that holds them,
 * back to back in each run; the ratio is the figure.
 */
const dateViewWorkload = {
  id: 'dateview-5k',
  title: `date view: a month of ${DATED_COUNT.toLocaleString('en')} photos`,
  metrics: ['seconds', 'folderSeconds', 'ratio', 'errors', 'rss'],
  primary: 'ratio',
  oursOnly: true,
  describe: () =>
    `PROPFIND Depth 1 of a date view's month of ${DATED_COUNT.toLocaleString('en')} photos, and of the real folder holding them (ours only), 9 of each alternating per run, timed by curl`,
  warmup: async (srv, w) => {
    // The first scan of the share runs in the background after start: wait for it (up to 2 minutes).
    const wanted = DATED_COUNT + 1;
    let last = null;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
      last = await countedPropfind(w, url(srv, VIEW_MONTH), 'dateview');
      if (last.status === 207 && last.entries === wanted) break;
    }
    if (last?.status !== 207 || last.entries !== wanted)
      throw new Error(
        `the date view's month answered ${last?.status} with ${last?.entries} entries, expected ${wanted}`,
      );
    const real = await countedPropfind(w, url(srv, DATED_FOLDER), 'dated');
    if (real.status !== 207 || real.entries !== wanted)
      throw new Error(`the real folder answered ${real.status} with ${real.entries} entries, expected ${wanted}`);
  },
  // One listing takes some 10 ms, where a busy neighbour on the machine shows: each run takes the
  // median of PAIRS listings of each, alternating, so that both meet the same moments.
  run: async (srv, w) => {
    const folder = [];
    const view = [];
    let errors = 0;
    for (let i = 0; i < PAIRS; i++) {
      const real = await propfind(w.ctx, url(srv, DATED_FOLDER));
      const viewed = await propfind(w.ctx, url(srv, VIEW_MONTH));
      folder.push(real.seconds);
      view.push(viewed.seconds);
      errors += (real.status === 207 ? 0 : 1) + (viewed.status === 207 ? 0 : 1);
    }
    const seconds = median(view);
    const folderSeconds = median(folder);
    return { seconds, folderSeconds, ratio: seconds / folderSeconds, errors };
  },
};

/** Listings of each kind per run of dateview-5k. */
const PAIRS = 9;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const WORKLOADS = [
  wrkWorkload({
    id: 'propfind0',
    title: 'PROPFIND depth 0, one file ({conn})',
    connections: 16,
    path: 'small/IMG_0001.jpg',
    script: 'propfind.lua',
    env: { BENCH_DEPTH: '0' },
  }),
  wrkWorkload({
    id: 'propfind1',
    title: 'PROPFIND depth 1, 20 files ({conn})',
    connections: 16,
    path: 'small/',
    script: 'propfind.lua',
    env: { BENCH_DEPTH: '1' },
  }),
  wrkWorkload({
    id: 'get-small',
    title: 'GET 2 KiB photo ({conn})',
    connections: 64,
    path: 'small/IMG_0001.jpg',
    script: 'get.lua',
  }),
  listingWorkload(10_000),
  dateViewWorkload,
  listingWorkload(100_000),
  {
    id: 'get-1g',
    title: 'GET big file (curl)',
    metrics: ['mbps', 'errors', 'rss'],
    primary: 'mbps',
    describe: (p) => `GET of ${p.getFile} to /dev/null with curl`,
    titleFor: (p) => `GET ${sizeName(p.getFile)} (curl)`,
    run: async (srv, w) => {
      const r = await download(w.ctx, url(srv, srv.dataPath + w.profile.getFile));
      const expected = w.bigFileBytes(w.profile.getFile);
      return { mbps: r.downloaded / r.seconds / 1e6, errors: r.status === 200 && r.downloaded === expected ? 0 : 1 };
    },
  },
  {
    id: 'range',
    title: 'Range GETs of 1 MiB (8 conn)',
    metrics: ['rps', 'mbps', 'p99', 'errors', 'rss'],
    primary: 'rps',
    describe: (p) =>
      `${p.rangeCount.toLocaleString('en')} random Range GETs of 1 MiB in ${p.rangeFile}, 8 connections (wrk)`,
    titleFor: (p) => `${p.rangeCount.toLocaleString('en')} Range GETs of 1 MiB in ${sizeName(p.rangeFile)} (8 conn)`,
    warmup: async (srv, w) => {
      const r = await download(w.ctx, url(srv, srv.dataPath + w.profile.rangeFile), { range: `${MiB}-${2 * MiB - 1}` });
      if (r.status !== 206 || r.downloaded !== MiB)
        throw new Error(`a Range GET answered ${r.status} with ${r.downloaded} bytes, expected 206 with ${MiB}`);
    },
    before: (srv, w) => intoPageCache(path.join(w.ctx.shareDir, w.profile.rangeFile)),
    run: async (srv, w) => {
      const r = await wrk({
        url: url(srv, srv.dataPath + w.profile.rangeFile),
        script: 'range.lua',
        connections: 8,
        seconds: 600,
        auth: w.ctx.authHeader,
        perThread: w.profile.rangeCount / 2,
        env: {
          BENCH_FILE_BYTES: String(w.bigFileBytes(w.profile.rangeFile)),
          BENCH_RANGE_BYTES: String(MiB),
          BENCH_SEED: String(w.runIndex + 1),
        },
      });
      // A server that ignored Range would send the whole file: about 1 MiB of answer per request or it is wrong.
      const wrongSize = r.requests > 0 && Math.abs(r.bytes / r.requests - MiB) > 64 * 1024;
      return {
        rps: r.rps,
        mbps: (r.requests * MiB) / r.seconds / 1e6,
        p99: r.p99,
        errors: r.errors + (wrongSize ? r.requests : 0),
        detail: { ...r.errorDetail, bytesPerAnswer: Math.round(r.bytes / r.requests) },
      };
    },
  },
  {
    id: 'put-1g',
    title: 'PUT big file (curl -T)',
    metrics: ['mbps', 'errors', 'rss'],
    primary: 'mbps',
    needsUpload: true,
    describe: (p) => `PUT of ${p.putFile} with curl -T into an empty folder`,
    titleFor: (p) => `PUT ${sizeName(p.putFile)} (curl -T)`,
    before: syncDisks,
    run: async (srv, w) => {
      const name = `put-${w.runIndex}.bin`;
      const expected = w.bigFileBytes(w.profile.putFile);
      const r = await upload(w.ctx, path.join(w.shareDir, w.profile.putFile), url(srv, srv.uploadPath + name));
      const written = await stat(path.join(srv.uploadDir, name)).then(
        (s) => s.size,
        () => -1,
      );
      return {
        mbps: r.uploaded / r.seconds / 1e6,
        errors: r.status >= 200 && r.status < 300 && written === expected ? 0 : 1,
      };
    },
    after: clearUploads,
  },
  {
    id: 'uploads',
    title: 'photo uploads 100–500 KiB (8 clients)',
    metrics: ['fps', 'mbps', 'errors', 'rss'],
    primary: 'fps',
    needsUpload: true,
    describe: (p) =>
      `${p.uploadCount.toLocaleString('en')} PUTs of photos of 100–500 KiB under new names, 8 curl processes at once`,
    titleFor: (p) => `${p.uploadCount.toLocaleString('en')} photo uploads 100–500 KiB (8 clients)`,
    // A server's first uploads are slower than the rest (ours: its JIT; every server: new folder entries).
    warmup: async (srv, w) => {
      await uploadMany(w.ctx, {
        sources: w.uploadSources,
        urlPrefix: url(srv, srv.uploadPath),
        count: UPLOAD_WARMUP_COUNT,
        clients: 8,
        tag: 'warm',
        workDir: w.workDir,
      });
      await clearUploads(srv);
    },
    before: syncDisks,
    run: async (srv, w) => {
      const count = w.profile.uploadCount;
      const r = await uploadMany(w.ctx, {
        sources: w.uploadSources,
        urlPrefix: url(srv, srv.uploadPath),
        count,
        clients: 8,
        tag: String(w.runIndex),
        workDir: w.workDir,
      });
      const ok = [...r.statuses].filter(([code]) => code.startsWith('2')).reduce((a, [, n]) => a + n, 0);
      const bytes = w.uploadBytes(count);
      return {
        fps: count / r.seconds,
        mbps: bytes / r.seconds / 1e6,
        errors: count - ok,
        detail: Object.fromEntries(r.statuses),
      };
    },
    after: clearUploads,
  },
  {
    ...wrkWorkload({
      id: 'mixed',
      title: 'mixed browse ({conn})',
      connections: 64,
      path: '',
      script: 'mixed.lua',
      seconds: 'mixedSeconds',
    }),
    metrics: ['rps', 'p50', 'p99', 'errors', 'rss'],
    needsUpload: true,
    describe: (p) =>
      `mixed browse load, 64 connections, ${p.mixedSeconds} s: PROPFIND Depth 1 of 20-photo albums 30 %, GET of their photos 68 %, PUT of 100 KiB photos 2 % (wrk)`,
    warmup: (srv, w) => mixedRun(srv, w, w.profile.warmupSeconds, 'warm'),
    run: async (srv, w) => {
      const r = await mixedRun(srv, w, w.profile.mixedSeconds, String(w.runIndex));
      return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, detail: r.errorDetail };
    },
    after: clearUploads,
  },
];

function mixedRun(srv, w, seconds, tag) {
  return wrk({
    url: srv.base + '/',
    script: 'mixed.lua',
    connections: 64,
    seconds,
    auth: w.ctx.authHeader,
    env: {
      BENCH_DATA_PATH: srv.dataPath,
      BENCH_UPLOAD_PATH: srv.uploadPath,
      BENCH_RUN_TAG: tag,
      BENCH_SEED: String(w.runIndex + 1),
    },
  });
}

function sizeName(file) {
  const m = /-(\d+)([mg])\.bin$/.exec(file);
  return m ? `${m[1]} ${m[2] === 'g' ? 'GiB' : 'MiB'}` : file;
}

export const workloadById = new Map(WORKLOADS.map((w) => [w.id, w]));

/** Which big files the selected workloads read. */
export function bigFilesFor(workloads, profile) {
  const names = new Set();
  for (const w of workloads) {
    if (w.id === 'get-1g') names.add(profile.getFile);
    if (w.id === 'put-1g') names.add(profile.putFile);
    if (w.id === 'range') names.add(profile.rangeFile);
  }
  return profile.bigFiles.filter(([name]) => names.has(name));
}
