/**
 * Everything the benchmark starts or creates is registered here and undone
 * at the end: on normal exit, on an error, and on Ctrl-C / SIGTERM. Only
 * processes this benchmark spawned are signalled: by their pid, or by the
 * process group of their own that a server is started in.
 */
import { rmSync } from 'node:fs';

const children = new Set(); // ChildProcess
const groups = new Set(); // pids of children that lead their own process group
const dirs = new Set(); // absolute paths
const hooks = new Set(); // synchronous last-resort functions

/** `group`: the child leads a process group of its own (spawned detached), killed as a whole. */
export function trackChild(child, { group = false } = {}) {
  children.add(child);
  if (group) groups.add(child.pid);
  child.once('exit', () => {
    children.delete(child);
    if (group) {
      // Workers the leader left behind (Apache's children outlive a SIGKILLed parent) go now, while
      // the group still exists; afterwards its number could name someone else's group.
      killGroup(child.pid, 'SIGKILL');
      groups.delete(child.pid);
    }
  });
  return child;
}

/** Signals a process group we created (its leader's pid); silent when it is gone. */
export function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group any more
  }
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
  // A server's workers may outlive its leader (Apache's children do after a SIGKILL).
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
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
