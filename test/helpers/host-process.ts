/**
 * Runs the real host (`node dist/host/cli.js start`) on a fresh temporary
 * data folder, the way a user would, for every test that needs it.
 *
 *   const host = await startHost({ users: [{ name: 'alice', password: 'pw', groups: ['WebDAV.main'] }] });
 *   try { await fetch(`${host.url}/webdav/main/`, ...) } finally { await host.stop(); }
 *
 * Every process and temp folder it creates is removed by stop(), and also
 * when the test process exits, so a failed test leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProperties, readPropertiesText, writePropertiesFile } from '../../host/properties.js';

/** The repository root (dist/test/helpers → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'host', 'cli.js');
/** The fake plugin the host tests load (test/fixtures/fixture-plugin, id "fixture"). */
export const FIXTURE_PLUGIN = path.join(REPO_ROOT, 'test', 'fixtures', 'fixture-plugin');
/** A plugin whose activate() throws (id "broken"). */
export const BROKEN_PLUGIN = path.join(REPO_ROOT, 'test', 'fixtures', 'broken-plugin');

export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly admin?: boolean;
  /** Groups to put the user in; created (empty) first when missing, e.g. "WebDAV.main". */
  readonly groups?: readonly string[];
}

export interface StartHostOptions {
  /** Written to settings.properties before the first start (first run then only adds robot.root.0 when missing). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Created with the CLI before the server starts. */
  readonly users?: readonly TestUser[];
  /** Plugin folders to load (the setting host.plugins); [] loads none; default: this repository's plugin. */
  readonly plugins?: readonly string[];
  /** Extra environment of the host and of cli(), e.g. { LOG_LEVEL: 'debug' }. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reuse this data folder (e.g. for a second start, or one folder shared by several instances); stop() then leaves it in place. */
  readonly dataDir?: string;
  /** `--database URL` for the server and for every CLI call (users, groups, host.cli()), e.g. a PostgreSQL URL. */
  readonly database?: string;
  /** More arguments of `mediahost start` (the database: `database`, which the CLI calls get too). */
  readonly startArgs?: readonly string[];
  /** Create the users, groups and settings (default true); false for a further instance on data that already has them. */
  readonly seed?: boolean;
  /** How long to wait for the "listening" line (default 30 s). */
  readonly timeoutMs?: number;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HostProcess {
  /** The origin, without a trailing slash: `http://127.0.0.1:PORT` (https:// with server.ssl=true). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The admin password printed by the first start; undefined when this start was not the first. */
  readonly adminPassword: string | undefined;
  readonly child: ChildProcess;
  /** Everything the host wrote to stdout so far (JSON log lines and the first-run banner). */
  logs(): string;
  stderr(): string;
  /** The JSON log lines so far, parsed. */
  logRecords(): Array<Record<string, unknown>>;
  /** Resolves with the first log record (already written or still to come) that matches; rejects after timeoutMs. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Runs `mediahost ARGS --data <dataDir>` (the server keeps running). */
  cli(args: readonly string[]): Promise<CliResult>;
  /** SIGTERM (SIGKILL after 10 s), then removes the data folder unless it was given in the options. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
function cleanUpNow(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
process.once('exit', cleanUpNow);
// A test run stopped by Ctrl-C or a timeout: clean up, then die of the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUpNow();
    process.kill(process.pid, signal);
  });
}

/** Runs the CLI once against a data folder. */
export function runCli(
  dataDir: string,
  args: readonly string[],
  env: StartHostOptions['env'] = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data', dataDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mediahost ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

async function cliOrThrow(dataDir: string, args: readonly string[], env: StartHostOptions['env']): Promise<CliResult> {
  const result = await runCli(dataDir, args, env);
  if (result.code !== 0)
    throw new Error(`mediahost ${args.join(' ')} failed (${result.code}):\n${result.stdout}${result.stderr}`);
  return result;
}

function parseRecords(text: string): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line still being written
    }
  }
  return records;
}

export async function startHost(options: StartHostOptions = {}): Promise<HostProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'mediahost-test-')));
  if (ownDir) tempDirs.add(dataDir);
  const removeDir = async (): Promise<void> => {
    if (!ownDir) return;
    await rm(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  };
  const databaseArgs = options.database === undefined ? [] : ['--database', options.database];
  const cliArgs = (args: readonly string[]): string[] => [...args, ...databaseArgs];
  try {
    const settings = new Map(Object.entries(options.seed === false ? {} : (options.settings ?? {})));
    if (options.plugins) settings.set('host.plugins', options.plugins.join(','));
    if (settings.size > 0) {
      const file = path.join(dataDir, 'settings.properties');
      const existing = await readPropertiesText(file);
      await writePropertiesFile(file, new Map([...(existing ? parseProperties(existing) : []), ...settings]));
    }
    for (const user of options.seed === false ? [] : (options.users ?? [])) {
      for (const group of user.groups ?? []) await cliOrThrow(dataDir, cliArgs(['group', 'add', group]), options.env);
      const args = ['user', 'add', user.name, `--password=${user.password}`];
      if (user.admin) args.push('--admin');
      await cliOrThrow(dataDir, cliArgs(args), options.env);
      for (const group of user.groups ?? [])
        await cliOrThrow(dataDir, cliArgs(['group', 'add-member', group, user.name]), options.env);
    }
  } catch (err) {
    await removeDir();
    throw err;
  }

  const startArgs = ['start', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', ...(options.startArgs ?? [])];
  const child = spawn(process.execPath, [CLI, ...startArgs, ...databaseArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(child);
      for (const w of [...waiters]) w();
      resolve(exit);
    });
  });

  const waitForLog = (
    match: (r: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = parseRecords(stdout).find(match);
        if (found) return done(() => resolve(found));
        if (exit)
          done(() =>
            reject(
              new Error(
                `the host exited (${exit!.code ?? exit!.signal}) before the expected log line\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`no matching log line within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
          ),
        timeoutMs,
      );
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });

  let stopped: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  const stop = (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
    (stopped ??= (async () => {
      if (!exit) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(kill);
      }
      await removeDir();
      return exit!;
    })());

  let listening: Record<string, unknown>;
  try {
    listening = await waitForLog((r) => r['msg'] === 'listening', options.timeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = String(listening['url']).replace(/\/$/, '');
  return {
    url,
    port: Number(listening['port']),
    dataDir,
    adminPassword: /^\s+password:\s+(\S+)\s*$/m.exec(stdout)?.[1],
    child,
    logs: () => stdout,
    stderr: () => stderr,
    logRecords: () => parseRecords(stdout),
    waitForLog,
    cli: (args) => runCli(dataDir, cliArgs(args), options.env),
    stop,
  };
}

export interface WebLogin {
  /** The Cookie header value to send: `mediahost_session=...`. */
  readonly cookie: string;
  /** The raw Set-Cookie header of the login answer. */
  readonly setCookie: string;
  /** The session's CSRF token (send as X-CSRF-Token). */
  readonly csrfToken: string;
}

/** Logs in to the host's web UI; throws when the login is refused. */
export async function login(url: string, name: string, password: string): Promise<WebLogin> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password }).toString(),
    redirect: 'manual',
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('mediahost_session=')) ?? '';
  if (res.status !== 303 || !setCookie) throw new Error(`login as ${name} failed: ${res.status} ${await res.text()}`);
  const cookie = setCookie.split(';')[0]!;
  const home = await (await fetch(`${url}/`, { headers: { cookie } })).text();
  const csrfToken = /<meta name="csrf-token" content="([^"]+)">/.exec(home)?.[1];
  if (!csrfToken) throw new Error(`no CSRF token on the home page after logging in as ${name}`);
  return { cookie, setCookie, csrfToken };
}

/** Whether the web login succeeds; false only for a refusal (401), any other failure throws. */
export const canLogin = (url: string, name: string, password: string): Promise<boolean> =>
  login(url, name, password).then(
    () => true,
    (error: Error) => {
      if (/ failed: 401 /.test(error.message)) return false;
      throw error;
    },
  );

/** Switches a plugin on or off through the host's admin API, as the admin panel does. */
export function setPluginEnabled(url: string, admin: WebLogin, id: string, enabled: boolean): Promise<Response> {
  return fetch(`${url}/api/host/plugins/${id}`, {
    method: 'POST',
    headers: { cookie: admin.cookie, 'content-type': 'application/json', 'x-csrf-token': admin.csrfToken },
    body: JSON.stringify({ enabled }),
  });
}

/**
 * Retries `check` until it stops throwing (then returns its result) or
 * `timeoutMs` passes (then throws its last error): for "within N seconds".
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
