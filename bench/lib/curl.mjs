/**
 * One-shot transfers timed by curl itself (%{time_total}): big listings,
 * big downloads and uploads, and many uploads from several curl processes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './proc.mjs';

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/>' +
  '</D:prop></D:propfind>';

const WRITE_OUT = '%{http_code} %{time_total} %{size_download} %{size_upload}';

async function curl(args, timeoutMs) {
  const r = await run('curl', ['-sS', '--max-time', String(Math.round(timeoutMs / 1000)), '-w', WRITE_OUT, ...args], {
    timeoutMs: timeoutMs + 10_000,
  });
  const m = /(\d{3}) ([\d.]+) (\d+) (\d+)\s*$/.exec(r.stdout);
  if (r.code !== 0 || !m)
    throw new Error(
      `curl ${args.filter((a) => !a.includes(':') || a.startsWith('http')).join(' ')} failed (${r.code}): ${r.stderr.trim().slice(0, 500)}`,
    );
  return { status: Number(m[1]), seconds: Number(m[2]), downloaded: Number(m[3]), uploaded: Number(m[4]) };
}

const userOpt = (ctx) => ['-u', `${ctx.user}:${ctx.pass}`];

/** PROPFIND Depth 1; `output` a file to keep the answer in (default: discarded). */
export function propfind(ctx, url, { output = '/dev/null', timeoutMs = 600_000 } = {}) {
  return curl(
    [
      ...userOpt(ctx),
      '-X',
      'PROPFIND',
      '-H',
      'Depth: 1',
      '-H',
      'Content-Type: application/xml; charset="utf-8"',
      '--data-binary',
      PROPFIND_BODY,
      '-o',
      output,
      url,
    ],
    timeoutMs,
  );
}

export function download(ctx, url, { range, timeoutMs = 600_000 } = {}) {
  return curl([...userOpt(ctx), ...(range ? ['-r', range] : []), '-o', '/dev/null', url], timeoutMs);
}

/** PUT of a file the way `curl -T` sends it (with Expect: 100-continue, as real clients do for big bodies). */
export function upload(ctx, file, url, { timeoutMs = 900_000 } = {}) {
  return curl([...userOpt(ctx), '-T', file, '-o', '/dev/null', url], timeoutMs);
}

/**
 * `count` PUTs of the given source files under new names below `urlPrefix`,
 * from `clients` curl processes at once, each reusing its connection.
 * Returns { seconds (wall clock of the whole batch), statuses: Map }.
 */
export async function uploadMany(ctx, { sources, urlPrefix, count, clients, tag, workDir, timeoutMs = 900_000 }) {
  const configs = [];
  for (let c = 0; c < clients; c++) {
    const lines = [
      `user = "${ctx.user}:${ctx.pass}"`,
      'header = "Expect:"',
      'silent',
      'show-error',
      'write-out = "%{http_code}\\n"',
    ];
    for (let i = c; i < count; i += clients) {
      lines.push(
        `upload-file = "${sources[i % sources.length]}"`,
        `output = "/dev/null"`,
        `url = "${urlPrefix}up-${tag}-${String(i).padStart(5, '0')}.jpg"`,
      );
    }
    const file = path.join(workDir, `curl-uploads-${c}.conf`);
    writeFileSync(file, lines.join('\n') + '\n');
    configs.push(file);
  }
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    configs.map((conf) =>
      run('curl', ['--max-time', String(Math.round(timeoutMs / 1000)), '-K', conf], { timeoutMs: timeoutMs + 10_000 }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const statuses = new Map();
  for (const r of results) {
    for (const code of r.stdout.split('\n').filter(Boolean)) statuses.set(code, (statuses.get(code) ?? 0) + 1);
  }
  const failed = results.find((r) => r.code !== 0);
  return { seconds, statuses, curlError: failed ? failed.stderr.trim().slice(0, 300) : null };
}
