/**
 * A real PostgreSQL server for the tests that need one, started from
 * Debian's binaries in a temporary folder and removed afterwards; no mock.
 *
 *   const pg = await startPostgres(t);   // undefined: skipped (locally, no PostgreSQL)
 *   if (!pg) return;
 *   ... knex({ client: 'pg', connection: pg.url }) or `mediahost start --database ${pg.url}` ...
 *   await pg.stop();
 *
 * The server listens on 127.0.0.1 on a free port with its socket in its own
 * folder, so it never meets a system cluster. Run as root (the test
 * machines), it runs as the `postgres` user, since PostgreSQL refuses root.
 * Locally a missing PostgreSQL skips the suite; under CI=true it fails it,
 * as test/helpers/tools.ts does for the client programs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Postgres {
  /** postgres://postgres@127.0.0.1:PORT/DB: the database made for this run (trust authentication, no password). */
  readonly url: string;
  readonly port: number;
  readonly database: string;
  /** The folder holding the cluster, its socket and its log. */
  readonly dir: string;
  /** A URL of another, new database on the same server (for tests that need an empty one). */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart`: every connection is dropped, the server comes back on the same port. */
  restart(): Promise<void>;
  /** `pg_ctl stop` without restarting (the database "lost"); `start()` brings it back. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** The server's log so far, for failure messages. */
  log(): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

const DEBIAN_PACKAGE = 'postgresql';

/** The bin folder of the newest PostgreSQL Debian installed, 15 preferred. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(path.join(root, '15', 'bin', 'pg_ctl'))) return path.join(root, '15', 'bin');
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0]!, 'bin') : undefined;
}

const isRoot = (): boolean => process.getuid?.() === 0;

const running = new Map<string, string>(); // folder → bin dir, for the exit handler
process.once('exit', () => {
  for (const [dir, bin] of running) {
    const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), [
      'stop',
      '-D',
      path.join(dir, 'data'),
      '-m',
      'immediate',
    ]);
    spawnSync(command, argv, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The command and arguments to run `program` as the user that owns the cluster. */
function asServerUser(program: string, args: readonly string[]): [string, string[], { encoding: 'utf8' }] {
  return isRoot()
    ? ['runuser', ['-u', 'postgres', '--', program, ...args], { encoding: 'utf8' }]
    : [program, [...args], { encoding: 'utf8' }];
}

/**
 * Runs a PostgreSQL program and returns its output, without blocking the
 * event loop (the test's own connections must notice a restart). `quiet` is
 * for pg_ctl start and restart: the server they leave running would inherit
 * captured pipes and hold them open, so their output goes nowhere (the
 * server log has it).
 */
function run(program: string, args: readonly string[], quiet = false): Promise<string> {
  const [command, argv] = asServerUser(program, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: quiet ? 'ignore' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(program)} ${args.join(' ')} failed (${code ?? signal}):\n${output}`)),
    );
  });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts a fresh server with one database for this run. Returns undefined
 * when PostgreSQL is missing and the test was skipped (never under CI).
 */
export async function startPostgres(t?: { skip(message: string): void }): Promise<Postgres | undefined> {
  const bin = postgresBinDir();
  if (!bin) {
    const message = `PostgreSQL is not installed (Debian package ${DEBIAN_PACKAGE}; scripts/install-test-tools.sh installs it as root)`;
    if (process.env.CI === 'true' || !t) throw new Error(`${message}: CI must run this suite`);
    t.skip(message);
    return undefined;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'webdav-pg-'));
  if (isRoot()) {
    const { uid, gid } = userIds('postgres');
    await chown(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = path.join(bin, 'pg_ctl');
  try {
    await run(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  running.set(dir, bin);

  let port = 0;
  const start = async (): Promise<void> => {
    // fsync off: a test server that loses its data on a power cut is fine, and it is much faster.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await run(pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '30', '-o', options], true);
  };
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (err) {
      // Another process took the port between freePort() and the start: try another.
      if (attempt >= 3) {
        await stopAndRemove(pgCtl, data, dir);
        throw err;
      }
    }
  }

  const createDatabase = async (name: string): Promise<string> => {
    await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
    return `postgres://postgres@127.0.0.1:${port}/${name}`;
  };
  const database = `webdav_${process.pid}_${Date.now().toString(36)}`;
  let url: string;
  try {
    url = await createDatabase(database);
  } catch (err) {
    await stopAndRemove(pgCtl, data, dir);
    throw err;
  }

  return {
    url,
    port,
    database,
    dir,
    createDatabase,
    restart: async () => {
      await run(pgCtl, ['restart', '-D', data, '-l', logFile, '-m', 'fast', '-w', '-t', '30'], true);
    },
    halt: async () => {
      await run(pgCtl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
    },
    start,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    stop: () => stopAndRemove(pgCtl, data, dir),
  };
}

async function stopAndRemove(pgCtl: string, data: string, dir: string): Promise<void> {
  if (existsSync(path.join(data, 'postmaster.pid')))
    try {
      await run(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '30'], true);
    } catch {
      // Already stopped (halt()); the folder goes anyway.
    }
  running.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

function userIds(name: string): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0)
    throw new Error(`the user ${name} does not exist (the Debian package ${DEBIAN_PACKAGE} creates it)`);
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

let fileServer: Promise<Postgres> | undefined;

/**
 * Whether this run has PostgreSQL suites to run: true when it is installed,
 * and always under CI (where a missing one then fails loudly in
 * postgresForThisFile()). Locally without it, a suite records a skip instead.
 */
export const postgresSuites = (): boolean => postgresBinDir() !== undefined || process.env.CI === 'true';

/** One server for the whole test file, started on first use and removed when the process exits. */
export function postgresForThisFile(): Promise<Postgres> {
  fileServer ??= startPostgres().then((pg) => pg!);
  return fileServer;
}
