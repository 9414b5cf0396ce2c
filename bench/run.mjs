#!/usr/bin/env node
/**
 * `npm run bench`: starts our host and the peers on the same data, runs
 * every workload against every server in turn (several times), and reports
 * medians with our ratio to each peer. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanUpNow, installCleanupHandlers, trackDir, untrackDir } from './lib/cleanup.mjs';
import { prepareData, REPO_ROOT } from './lib/data.mjs';
import { machineInfo } from './lib/machine.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { PeakRss } from './lib/proc.mjs';
import { formatChecks, formatMarkdown, formatTable } from './lib/report.mjs';
import { renderSvg } from './lib/svg.mjs';
import { ensureTools } from './lib/tools.mjs';
import { SERVERS, serverById } from './servers/index.mjs';
import { evaluate } from './targets.mjs';
import { bigFilesFor, METRICS, WORKLOADS } from './workloads.mjs';

const t0 = Date.now();
const clock = () => {
  const s = Math.round((Date.now() - t0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const log = (msg) => process.stderr.write(`[${clock()}] ${msg}\n`);

let opts;
try {
  opts = parseOptions(process.argv.slice(2), {
    workloadIds: WORKLOADS.map((w) => w.id),
    serverIds: SERVERS.map((s) => s.id),
  });
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(
    USAGE.replace('WORKLOADS', WORKLOADS.map((w) => w.id).join(', ')).replace(
      'SERVERS',
      SERVERS.map((s) => s.id).join(', '),
    ) + '\n',
  );
  process.exit(0);
}

installCleanupHandlers();
try {
  process.exitCode = await main(opts);
} catch (err) {
  process.stderr.write(`bench: ${err.stack || err.message}\n`);
  process.exitCode = 1;
} finally {
  cleanUpNow();
}

async function main(opts) {
  const profile = opts.profile;
  if (opts.only?.includes('propfind-100k') && !profile.listings.includes(100_000))
    profile.listings = [...profile.listings, 100_000];
  let workloads = WORKLOADS.filter((w) => !opts.only || opts.only.includes(w.id));
  const notes = [];
  for (const w of workloads.filter((w) => w.available && !w.available(profile)))
    notes.push(`${w.id} is left out of ${opts.quick ? '--quick' : 'this'} run`);
  workloads = workloads.filter((w) => !w.available || w.available(profile));
  const servers = SERVERS.filter((s) => !opts.servers || opts.servers.includes(s.id)).filter((s) =>
    workloads.some((w) => s.can(w.id)),
  );
  const machine = machineInfo();
  log(
    `webdav-shares benchmark${opts.quick ? ' (quick)' : ''}: ${workloads.length} workloads × ${servers.length} servers × ${profile.runs} run(s); ${machine.nproc} cores, load ${machine.loadavg.join(' ')}`,
  );

  await ensureTools(log);
  const listings = profile.listings.filter((n) => workloads.some((w) => w.id === `propfind-${n / 1000}k`));
  const data = await prepareData({ listings, bigFiles: bigFilesFor(workloads, profile) }, log);

  const tmp = trackDir(mkdtempSync(path.join(os.tmpdir(), 'webdav-bench-')));
  chmodSync(tmp, 0o755); // Apache's children (www-data) reach their folders through it
  if (process.env.BENCH_KEEP_TMP) {
    untrackDir(tmp); // for reading the servers' logs and configs afterwards
    log(`BENCH_KEEP_TMP: keeping ${tmp}`);
  }
  const workDir = path.join(tmp, 'work');
  mkdirSync(workDir);
  const pass = randomBytes(12).toString('base64url');
  const ctx = {
    tmp,
    shareDir: data.shareDir,
    datedDir: data.datedDir,
    user: 'bench',
    pass,
    authHeader: `Basic ${Buffer.from(`bench:${pass}`).toString('base64')}`,
  };

  const running = new Map();
  const results = {};
  for (const s of servers) {
    try {
      const srv = await s.start(ctx);
      running.set(s.id, srv);
      log(`started ${s.label} at ${srv.base} (pid ${srv.pid})`);
    } catch (err) {
      if (s.id === 'ours') throw err;
      log(`could not start ${s.label}: ${err.message}; its columns stay empty`);
      notes.push(`${s.id} did not start: ${err.message}`);
    }
  }

  const sizeCache = new Map();
  const sizeOf = (file) => sizeCache.get(file) ?? sizeCache.set(file, statSync(file).size).get(file);
  const w = {
    ctx,
    profile,
    workDir,
    shareDir: data.shareDir,
    uploadSources: data.uploadSources,
    runIndex: 0,
    bigFileBytes: (name) => sizeOf(path.join(data.shareDir, name)),
    /** Bytes of the first `count` uploads (uploadMany takes the sources in turn). */
    uploadBytes: (count) => {
      let total = 0;
      for (let i = 0; i < count; i++) total += sizeOf(data.uploadSources[i % data.uploadSources.length]);
      return total;
    },
  };

  const serversFor = (wl) =>
    [...running.values()].filter(
      (srv) =>
        serverById.get(srv.id).can(wl.id) && (!wl.needsUpload || srv.uploadPath) && (!wl.oursOnly || srv.id === 'ours'),
    );
  const totalSteps = workloads.reduce((n, wl) => n + serversFor(wl).length * profile.runs, 0);
  let step = 0;
  for (const wl of workloads) {
    const title = wl.titleFor?.(profile) ?? wl.title;
    log(`── ${title}: ${wl.describe(profile)}`);
    const targets = serversFor(wl);
    results[wl.id] = {};
    for (let run = 0; run < profile.runs; run++) {
      w.runIndex = run;
      // A different server goes first in each run, so none always meets a machine just warmed (or disturbed) by another.
      const order = targets.map((_, i) => targets[(i + run) % targets.length]);
      for (const srv of order) {
        step++;
        const entry = (results[wl.id][srv.id] ??= { runs: [] });
        const where = `[${String(step).padStart(String(totalSteps).length)}/${totalSteps}] ${wl.id} · ${srv.id} · run ${run + 1}/${profile.runs}`;
        if (entry.skip) continue;
        if (srv.exited?.() ?? false) {
          entry.failed = entry.failed ?? 'the server is not running';
          continue;
        }
        try {
          if (run === 0 && wl.warmup) await wl.warmup(srv, w);
          await wl.before?.(srv, w);
          const rss = srv.id === 'ours' ? new PeakRss(srv.pid) : null;
          let m;
          try {
            m = await wl.run(srv, w);
          } finally {
            if (rss) {
              const peak = rss.stop();
              if (m) m.rss = peak / 1e6;
            }
          }
          entry.runs.push(m);
          log(`${where} → ${summary(wl, m)}`);
        } catch (err) {
          entry.failed = err.message;
          if (run === 0) entry.skip = true;
          log(`${where} → FAILED: ${err.message.split('\n')[0]}`);
        } finally {
          await Promise.resolve(wl.after?.(srv, w)).catch((err) =>
            log(`cleanup after ${wl.id} on ${srv.id}: ${err.message}`),
          );
        }
      }
    }
  }

  log('stopping servers');
  for (const srv of running.values()) await srv.stop();

  const report = buildReport({ opts, machine, workloads, servers: servers.map((s) => s.id), results, notes });
  const checks = evaluate(
    Object.fromEntries(
      report.workloads.map((wl) => [
        wl.id,
        Object.fromEntries(Object.entries(wl.results).map(([s, e]) => [s, e.median ?? {}])),
      ]),
    ),
    METRICS,
  );
  report.checks = checks.map(({ target, ...rest }) => ({ ...rest, target }));
  report.durationSeconds = Math.round((Date.now() - t0) / 1000);

  process.stdout.write(
    `\n${report.chartTitle}\n${machine.nproc} cores · ${machine.cpu} · ${machine.kernel} · Node ${machine.node}\n\n`,
  );
  process.stdout.write(formatTable(report) + '\n\n');
  process.stdout.write(
    'Medians of the runs; errors are summed over all runs; RSS is our highest peak. Ratio = ours ÷ peer (↑: above 1 is better, ↓: below 1 is better). – = not applicable.\n',
  );
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  for (const wl of report.workloads) {
    for (const [s, e] of Object.entries(wl.results))
      if (e.failed) process.stdout.write(`note: ${wl.id} on ${s} failed: ${e.failed.split('\n')[0]}\n`);
  }
  process.stdout.write(`\n${formatChecks(checks)}\n`);
  if (opts.save) {
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(path.join(dir, 'latest.svg'), renderSvg(report));
    writeFileSync(path.join(dir, 'latest.md'), `${report.chartTitle}\n\n${formatMarkdown(report)}\n`);
    process.stdout.write(`\nwrote bench/results/latest.json, latest.svg and latest.md (${clock()} in all)\n`);
  }
  const oursFailed = report.workloads.some((wl) => wl.results.ours?.failed);
  if (opts.check && (checks.some((c) => c.status === 'missed') || oursFailed)) return 1;
  return 0;
}

function summary(wl, m) {
  const parts = [];
  for (const k of wl.metrics) {
    if (m[k] === undefined) continue;
    const info = METRICS[k];
    parts.push(
      `${Number(m[k]).toLocaleString('en', { maximumFractionDigits: info.digits })} ${info.label.replace('ours peak ', '')}`,
    );
  }
  if (m.errors && m.detail)
    parts.push(
      `(${Object.entries(m.detail)
        .filter(([, n]) => n)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
    );
  return parts.join(', ');
}

function aggregate(values, how) {
  const nums = values.filter((v) => typeof v === 'number' && !Number.isNaN(v));
  if (nums.length === 0) return undefined;
  if (how === 'sum') return nums.reduce((a, b) => a + b, 0);
  if (how === 'max') return Math.max(...nums);
  const sorted = [...nums].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function buildReport({ opts, machine, workloads, servers, results, notes }) {
  const date = new Date().toISOString();
  return {
    date,
    chartTitle: `webdav-shares benchmark${opts.quick ? ' (--quick)' : ''}, ${date.slice(0, 16).replace('T', ' ')} UTC`,
    machine: { ...machine, loadavgAtEnd: os.loadavg().map((n) => Number(n.toFixed(2))) },
    options: { quick: opts.quick, runs: opts.profile.runs, only: opts.only, servers: opts.servers },
    profile: opts.profile,
    metrics: METRICS,
    servers,
    serverLabels: Object.fromEntries(servers.map((s) => [s, serverById.get(s).label])),
    notes,
    workloads: workloads.map((wl) => {
      const byServer = {};
      for (const [s, e] of Object.entries(results[wl.id] ?? {})) {
        const median = {};
        for (const k of wl.metrics) {
          const v = aggregate(
            e.runs.map((r) => r[k]),
            METRICS[k].agg,
          );
          if (v !== undefined) median[k] = v;
        }
        byServer[s] = { median, runs: e.runs, ...(e.failed ? { failed: e.failed } : {}) };
      }
      const ratios = {};
      const ours = byServer.ours?.median ?? {};
      for (const s of servers.filter((s) => s !== 'ours')) {
        const peer = byServer[s]?.median;
        if (!peer) continue;
        ratios[s] = {};
        for (const k of wl.metrics)
          if (typeof ours[k] === 'number' && typeof peer[k] === 'number' && peer[k] !== 0 && !METRICS[k].oursOnly)
            ratios[s][k] = ours[k] / peer[k];
      }
      return {
        id: wl.id,
        title: wl.titleFor?.(opts.profile) ?? wl.title,
        description: wl.describe(opts.profile),
        primary: wl.primary,
        metrics: wl.metrics,
        results: byServer,
        ratios,
      };
    }),
  };
}
