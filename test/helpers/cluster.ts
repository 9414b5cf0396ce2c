/**
 * Several instances of the real host on one data folder and one database,
 * behind nginx configured from docs/deploy.md: the deployment that document
 * describes, for test/scale/.
 *
 *   const c = await startCluster({ database: pg.url, instances: 2, users: [...] });
 *   try { await fetch(`${c.nginx.url}/webdav/main/`) } finally { await c.stop(); }
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startHost, type HostProcess, type StartHostOptions } from './host-process.js';
import type { TestContext } from 'node:test';
import { installNginx, requireNginx, startNginx, type Nginx } from './nginx.js';
import { postgresBinDir, startPostgres, type Postgres } from './postgres.js';

export interface ClusterOptions {
  /** The database every instance and every CLI call uses (`--database`); undefined: SQLite in the data folder. */
  readonly database?: string;
  /** How many instances (default 2). */
  readonly instances?: number;
  readonly users?: StartHostOptions['users'];
  /** Settings besides the cluster's own (server.trustproxy=true, the share `main` on `photos`). */
  readonly settings?: Readonly<Record<string, string>>;
  readonly env?: StartHostOptions['env'];
}

export interface Cluster {
  readonly hosts: readonly HostProcess[];
  readonly nginx: Nginx;
  /** The shared data folder (settings.properties). */
  readonly dataDir: string;
  /** The folder of the share `main`. */
  readonly photos: string;
  /** Starts one more instance on the same data and database (not behind nginx). */
  startInstance(): Promise<HostProcess>;
  /** Stops nginx and every instance, removes the folders. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mediahost-cluster-'));
  const dataDir = path.join(root, 'data');
  const photos = path.join(root, 'photos');
  await mkdir(dataDir);
  await mkdir(photos);
  const hosts: HostProcess[] = [];
  let nginx: Nginx | undefined;
  const base: StartHostOptions = {
    dataDir,
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  const startInstance = async (): Promise<HostProcess> => {
    const host = await startHost({ ...base, seed: false });
    hosts.push(host);
    return host;
  };
  const stop = async (): Promise<void> => {
    await nginx?.stop();
    await Promise.all(hosts.map((host) => host.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    // The first instance seeds users, groups and settings, and migrates the database; the others join.
    const first = await startHost({
      ...base,
      users: options.users ?? [],
      settings: {
        'server.trustproxy': 'true',
        'robot.root.0.path': photos,
        'robot.root.0.webdavmount': 'main',
        ...options.settings,
      },
    });
    hosts.push(first);
    for (let i = 1; i < (options.instances ?? 2); i++) await startInstance();
    nginx = await startNginx(hosts.map((host) => host.port));
  } catch (err) {
    await stop();
    throw err;
  }
  return { hosts, nginx, dataDir, photos, startInstance, stop };
}

export interface ScaleCluster extends Cluster {
  readonly database: Postgres;
}

/**
 * A real PostgreSQL server (test/helpers/postgres.ts) with a fresh database,
 * and the cluster on it; stop() removes both.
 */
export async function startScaleCluster(options: Omit<ClusterOptions, 'database'> = {}): Promise<ScaleCluster> {
  const database = await startPostgres();
  if (!database) throw new Error('PostgreSQL is missing'); // startPostgres without a test context throws instead
  try {
    const cluster = await startCluster({ ...options, database: database.url });
    return {
      ...cluster,
      database,
      stop: async () => {
        await cluster.stop();
        await database.stop();
      },
    };
  } catch (err) {
    await database.stop();
    throw err;
  }
}

/**
 * For a scale suite's `before`: whether nginx (installed when missing, as
 * root) and PostgreSQL are there. Each test then calls requireScale.
 */
export const scaleToolsPresent = (): boolean => installNginx() && postgresBinDir() !== undefined;

/** True when the test may run; otherwise skips it (locally) or throws (under CI), naming what is missing. */
export function requireScale(t: TestContext): boolean {
  if (!requireNginx(t)) return false;
  if (postgresBinDir() !== undefined) return true;
  const message =
    'PostgreSQL is not installed (Debian package postgresql; scripts/install-test-tools.sh installs it as root)';
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run this suite`);
  t.skip(message);
  return false;
}
