/**
 * Runs wrk (a C load generator: the client must not be the bottleneck, and
 * a Node client on the same 2 cores would be) with one of bench/lua/*.lua,
 * and returns what its done() printed:
 *
 *   { requests, seconds, rps, bytes, errors, bad, p50, p90, p99, max }   (latencies in ms)
 *
 * With `perThread`, each wrk thread stops after about that many answers
 * (see range.lua) and the run ends as soon as every thread is done;
 * `connections` must then be a multiple of the threads (2).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './proc.mjs';

const LUA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'lua');

export async function wrk({ url, script, connections, seconds, auth, env = {}, perThread, timeoutSeconds = 10 }) {
  const threads = Math.min(2, connections);
  const args = [
    '-t',
    String(threads),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    `${timeoutSeconds}s`,
    '-s',
    path.join(LUA_DIR, script),
  ];
  if (auth) args.push('-H', `Authorization: ${auth}`);
  args.push(url);
  let threadsDone = 0;
  const r = await run('wrk', args, {
    env: {
      BENCH_LUA_DIR: LUA_DIR,
      ...(perThread
        ? { BENCH_PER_THREAD: String(perThread), BENCH_CONNS_PER_THREAD: String(connections / threads) }
        : {}),
      ...env,
    },
    timeoutMs: (seconds + 60) * 1000,
    onStdout: (chunk, child) => {
      if (!perThread) return;
      threadsDone += chunk.split('BENCH_THREAD_DONE').length - 1;
      if (threadsDone >= threads) child.kill('SIGINT'); // wrk then stops sleeping, joins its threads and reports
    },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line)
    throw new Error(`wrk gave no result (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 1000)}`);
  const o = JSON.parse(line.slice('BENCH_RESULT '.length));
  const secs = o.duration_us / 1e6;
  const e = o.errors;
  return {
    requests: o.requests,
    seconds: secs,
    rps: o.requests / secs,
    bytes: o.bytes,
    errors: e.connect + e.read + e.write + e.timeout + Math.max(e.status, o.bad), // a 4xx is both a status error and "bad"
    errorDetail: { ...e, bad: o.bad },
    p50: o.latency_us.p50 / 1000,
    p90: o.latency_us.p90 / 1000,
    p99: o.latency_us.p99 / 1000,
    max: o.latency_us.max / 1000,
  };
}
