/**
 * Everything the benchmark starts or creates is registered here and undone
 * at the end: on normal exit, on an error, and on Ctrl-C / SIGTERM. Only
 * processes this benchmark spawned are signalled, by their own pid.
 */
import { rmSync } from 'node:fs';

const children = new Set(); // ChildProcess
const dirs = new Set(); // absolute paths
const hooks = new Set(); // synchronous last-resort functions

export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function trackDir(dir) {
  dirs.add(dir);
  return dir;
}

export function untrackDir(dir) {
  dirs.delete(dir);
}

export function onCleanup(fn) {
  hooks.add(fn);
  return () => hooks.delete(fn);
}

/** Synchronous, so that it also works from process.on('exit'). */
export function cleanUpNow() {
  for (const fn of [...hooks].reverse()) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
  hooks.clear();
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;
export function installCleanupHandlers() {
  if (installed) return;
  installed = true;
  process.once('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers and removing temporary folders\n`);
      cleanUpNow();
      process.exit(130);
    });
  }
}
