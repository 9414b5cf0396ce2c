/**
 * Runs the plugin in-process behind a minimal host of the test's own making:
 * in-memory users and groups, an in-memory SQLite database, settings the test
 * sets. For protocol tests that need to reach inside (a store that fails on
 * purpose) or that run hundreds of requests; end-to-end tests use the real
 * host (host-process.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { openDatabase } from '../../host/db.js';
import knex, { type Knex } from 'knex';
import type { Host, HostGroups, HostSettings, HostUser, HostUsers, Logger } from '../../plugin/host-api.js';
import { HOST_API_VERSION } from '../../plugin/host-api.js';
import { Activation, type ActivationOptions } from '../../plugin/activation.js';

export interface HarnessOptions extends ActivationOptions {
  /** Extra settings; shares default to one share "main" on a fresh temp folder. */
  settings?: Record<string, string>;
  /** Users and their groups; default: alice (WebDAV.main), bob (no group). */
  users?: Record<string, { password: string; groups: string[] }>;
  /** As the host's `server.trustproxy=true`: ctx.protocol and ctx.host follow X-Forwarded-Proto/-Host. */
  trustProxy?: boolean;
  /** A PostgreSQL URL (test/helpers/postgres.ts) to use instead of an in-memory SQLite database, opened as the host opens it. */
  database?: string;
  /** Fills the share "main" on disk before the plugin starts (and scans it). */
  prepare?: (root: string) => Promise<void>;
}

export interface Harness {
  readonly url: string;
  readonly port: number;
  /** The temp folder of the default share "main". */
  readonly root: string;
  readonly settings: HostSettings;
  readonly groups: HostGroups;
  readonly db: Knex;
  readonly logs: { level: string; msg: string; obj: object }[];
  /** What the plugin told the host's media library, in order. */
  readonly mediaEvents: ['changed' | 'removed', string][];
  /** Basic auth header for a user of the harness. */
  auth(user?: string): string;
  fetch(path: string, init?: RequestInit & { user?: string | null }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startPlugin(options: HarnessOptions = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'webdav-harness-'));
  const userTable = new Map(
    Object.entries(
      options.users ?? {
        alice: { password: 'alice-pw', groups: ['WebDAV.main'] },
        bob: { password: 'bob-pw', groups: [] },
      },
    ),
  );
  const groupTable = new Map<string, Set<string>>();
  for (const [name, user] of userTable) {
    for (const group of user.groups) {
      if (!groupTable.has(group)) groupTable.set(group, new Set());
      groupTable.get(group)!.add(name);
    }
  }

  let values: Record<string, string> = {
    'robot.root.0.path': root,
    'robot.root.0.webdavmount': 'main',
    ...options.settings,
  };
  const listeners = new Set<(keys: readonly string[]) => void>();
  const settings: HostSettings = {
    get: (key) => values[key],
    all: () => ({ ...values }),
    async update(changes) {
      const next = { ...values };
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete next[key];
        else next[key] = value;
      }
      values = next;
      for (const listener of listeners) listener(Object.keys(changes));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const asUser = (name: string): HostUser => ({ name, admin: false });
  const users: HostUsers = {
    async verify(name, password) {
      return userTable.get(name)?.password === password ? asUser(name) : null;
    },
    async find(name) {
      return userTable.has(name) ? asUser(name) : null;
    },
    async list() {
      return [...userTable.keys()].sort();
    },
  };
  const groups: HostGroups = {
    async ensure(name) {
      if (!groupTable.has(name)) groupTable.set(name, new Set());
    },
    async isMember(user, group) {
      return groupTable.get(group)?.has(user) ?? false;
    },
    async groupsOf(user) {
      return [...groupTable].filter(([, members]) => members.has(user)).map(([name]) => name);
    },
    async members(group) {
      return [...(groupTable.get(group) ?? [])].sort();
    },
    async addMember(group, user) {
      if (!groupTable.has(group)) groupTable.set(group, new Set());
      groupTable.get(group)!.add(user);
    },
    async removeMember(group, user) {
      groupTable.get(group)?.delete(user);
    },
  };
  const logs: Harness['logs'] = [];
  const mediaEvents: Harness['mediaEvents'] = [];
  const logAt = (level: string) => (obj: object | string, msg?: string) => {
    logs.push(typeof obj === 'string' ? { level, msg: obj, obj: {} } : { level, msg: msg ?? '', obj });
  };
  const log: Logger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

  const db = options.database
    ? openDatabase('', options.database)
    : knex({
        client: 'sqlite3',
        connection: { filename: ':memory:' },
        useNullAsDefault: true,
        pool: { min: 1, max: 1 },
      });
  const router = new Router();
  const filters: Middleware[] = [];
  const host: Host = {
    info: { name: 'test-host', version: '0.0.0', apiVersion: HOST_API_VERSION },
    router,
    settings,
    users,
    groups,
    db,
    filters: { register: (filter) => filters.push(filter) },
    ui: { registerAdminPage: () => undefined, registerAboutControl: () => undefined, serveAssets: () => '/assets' },
    media: {
      changed: (path) => void mediaEvents.push(['changed', path]),
      removed: (path) => void mediaEvents.push(['removed', path]),
    },
    session: { current: async () => null, verifyCsrf: () => false },
    log,
  };
  await options.prepare?.(root);
  const activation = await Activation.start(host, options);

  const app = new Koa();
  app.proxy = options.trustProxy ?? false;
  app.use(async (ctx, next) => {
    ctx.state.remoteAddress = ctx.ip;
    ctx.state.publicOrigin = `${ctx.protocol}://${ctx.host}`;
    await next();
  });
  for (const filter of filters) app.use(filter);
  app.use(router.routes());
  const callback = app.callback();
  const server: Server = createServer(callback);
  // Like the reference host: no automatic 100 Continue; handlers send it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => void callback(req, res));
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const auth = (user = 'alice') =>
    `Basic ${Buffer.from(`${user}:${userTable.get(user)?.password ?? 'wrong'}`).toString('base64')}`;
  return {
    url,
    port,
    root,
    settings,
    groups,
    db,
    logs,
    mediaEvents,
    auth,
    fetch(path, init = {}) {
      const { user = 'alice', ...rest } = init;
      const headers = new Headers(rest.headers);
      if (user !== null && !headers.has('authorization')) headers.set('authorization', auth(user));
      return fetch(url + path, { ...rest, headers });
    },
    async stop() {
      activation.stop();
      await activation.settled();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      await rm(root, { recursive: true, force: true });
    },
  };
}
