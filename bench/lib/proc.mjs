/**
 * Child processes: spawn a server with its output in a log file, wait until
 * it accepts connections, stop it, run a command to completion, and measure
 * a process's peak resident memory from /proc.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup, trackChild } from './cleanup.mjs';

export const LOOPBACK = '127.0.0.1';

/** A port that was free a moment ago (the server may still lose a race: callers retry). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: LOOPBACK, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** Resolves when 127.0.0.1:port accepts a connection; rejects when the child exits first or after timeoutMs. */
export async function waitForPort(port, child, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`not listening on ${port} after ${timeoutMs} ms`);
}

/**
 * Starts a long-running process with stdout and stderr appended to logFile,
 * in a process group of its own: a server's workers (Apache's children) are
 * then stopped with it, and nothing else is.
 */
export function spawnLogged(cmd, args, { logFile, env, cwd } = {}) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
    trackChild(child, { group: true });
    child.on('error', () => {}); // reported through exitCode / waitForPort
    return child;
  } finally {
    closeSync(fd);
  }
}

/**
 * SIGTERM to the child (a server shuts its workers down itself), SIGKILL to
 * its process group after graceMs; when it has exited, trackChild kills
 * whatever of the group is left. Only ever signals the child spawnLogged
 * started and its group.
 */
export async function stopChild(child, graceMs = 5000) {
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
    await exited; // the exit handler of trackChild then kills what is left of the group
    clearTimeout(timer);
  }
}

/** Runs a command to completion and collects its output; kills it after timeoutMs. */
export function run(cmd, args, { timeoutMs = 600_000, env, cwd, onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      onStdout?.(d, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no result within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function runOrThrow(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
  return r;
}

function statusKb(pid, field) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : undefined;
}

/**
 * Peak RSS of one process over a stretch of time. The kernel's high-water
 * mark (VmHWM) is reset at the start by writing 5 to /proc/PID/clear_refs;
 * where that is not allowed, VmRSS sampled every 50 ms stands in.
 */
export class PeakRss {
  constructor(pid) {
    this.pid = pid;
    this.sampled = 0;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  sample() {
    try {
      this.sampled = Math.max(this.sampled, statusKb(this.pid, 'VmRSS') ?? 0);
    } catch {
      // the process is gone
    }
  }

  /** Bytes. */
  stop() {
    clearInterval(this.timer);
    this.sample();
    let hwm = 0;
    try {
      if (this.hwmReset) hwm = statusKb(this.pid, 'VmHWM') ?? 0;
    } catch {
      // gone
    }
    return Math.max(hwm, this.sampled) * 1024;
  }
}
