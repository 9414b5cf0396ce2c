/**
 * Puts the host together and runs it: data folder, database, first run,
 * settings, plugins, web server. `close()` undoes it in reverse order.
 */
import { writeSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { openMigratedDatabase } from './db.js';
import { redactUrl } from './database-url.js';
import { firstRun, passwordBanner } from './first-run.js';
import { DbGroups } from './groups.js';
import { hostFactory, hostInfo, type HostServices } from './index.js';
import type { HostLogger } from './log.js';
import { CountingMedia } from './media.js';
import { PluginManager, pluginFolders } from './plugin-loader.js';
import { readyBanner } from './ready-banner.js';
import { createApp, createServer } from './server.js';
import { Sessions } from './sessions.js';
import { FileSettings, SETTINGS_FILE } from './settings.js';
import { TlsService } from './tls.js';
import { DbUsers } from './users.js';
import { configuredMounts } from './webdav-shares.js';

export interface StartOptions {
  readonly dataDir: string;
  /** Overrides the setting server.port (default 8080); 0 picks a free port. */
  readonly port?: number;
  readonly host: string;
  readonly log: HostLogger;
  /** PostgreSQL to use (postgres://…); undefined: SQLite in the data folder. */
  readonly databaseUrl?: string;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  readonly services: HostServices;
  readonly plugins: PluginManager;
  close(): Promise<void>;
}

/** How clients reach a listening address: 0.0.0.0 means "this machine", IPv6 literals need brackets. */
function urlHost(address: string): string {
  if (address === '0.0.0.0' || address === '') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

function parsePort(value: string, source: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535)
    throw new Error(`${source}: "${value}" is not a port number (0-65535)`);
  return Number(value);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    // Idle keep-alive connections go at once; transfers in progress get a moment to finish.
    const force = setTimeout(() => server.closeAllConnections(), 3000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startHost(options: StartOptions): Promise<RunningHost> {
  const { log } = options;
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  };
  try {
    const db = await openMigratedDatabase(dataDir, options.databaseUrl);
    cleanups.push(() => db.destroy());
    const settingsFile = path.join(dataDir, SETTINGS_FILE);
    const first = await firstRun({ dataDir, settingsFile, db, log });
    // Written straight to the terminal (not the log), before anything else, and never again.
    if (first?.adminPassword) writeSync(1, passwordBanner(first.adminPassword));

    const settings = await new FileSettings(settingsFile, { log: log.child({ component: 'settings' }) }).open();
    cleanups.push(() => settings.close());
    const port = options.port ?? parsePort(settings.get('server.port') ?? '8080', 'server.port');
    const tls = await TlsService.start({
      settings,
      dataDir,
      log: log.child({ component: 'tls' }),
      listenHost: options.host,
      mainPort: port,
    });
    cleanups.push(() => tls.close());
    const services: HostServices = {
      info: hostInfo(),
      settings,
      users: new DbUsers(db),
      groups: new DbGroups(db),
      db,
      media: new CountingMedia(log.child({ component: 'media' })),
      sessions: new Sessions(db),
      log,
      tls,
    };
    const plugins = new PluginManager({ db, log, hostFor: hostFactory(services) });
    cleanups.push(() => plugins.close());
    await plugins.load(pluginFolders(settings.get('host.plugins'), dataDir));

    const app = createApp(services, plugins);
    let server = createServer(app, tls.credentials());
    await listen(server, port, options.host);
    cleanups.push(() => closeServer(server));
    const actualPort = (server.address() as AddressInfo).port;
    const ssl = server instanceof https.Server;
    const urlOf = (scheme: string): string => `${scheme}://${urlHost(options.host)}:${actualPort}/`;
    const url = urlOf(ssl ? 'https' : 'http');
    tls.mainListening(ssl ? 'https' : 'http', actualPort);
    tls.onCredentials((pair) => {
      if (server instanceof https.Server) {
        // New handshakes get the new certificate; connections already open keep theirs and finish.
        server.setSecureContext(pair);
        log.info({ component: 'tls' }, 'serving the new certificate');
        return;
      }
      // Plain HTTP until the first certificate: the port moves over to HTTPS; requests in progress finish.
      const plain = server;
      server = createServer(app, pair);
      plain.close();
      plain.closeIdleConnections();
      listen(server, actualPort, options.host).then(
        () => {
          tls.mainListening('https', actualPort);
          log.info({ component: 'tls', url: urlOf('https') }, 'serving HTTPS');
        },
        (err: unknown) => log.error({ err, component: 'tls' }, 'cannot move the port over to HTTPS'),
      );
    });
    // Before the "listening" line, which is what scripts and the tests wait for.
    writeSync(
      1,
      readyBanner({
        scheme: ssl ? 'https' : 'http',
        listenHost: options.host,
        port: actualPort,
        interfaces: networkInterfaces(),
        webdavServed: plugins.serves('/webdav/'),
        mounts: configuredMounts(settings),
        firstRun: first?.adminPassword !== undefined,
      }),
    );
    const database = options.databaseUrl ? redactUrl(options.databaseUrl) : 'sqlite';
    log.info({ port: actualPort, url, dataDir, database }, 'listening');
    return { url, port: actualPort, services, plugins, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
