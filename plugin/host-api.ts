/**
 * The contract between a media server (the "host") and this plugin.
 *
 * The plugin depends on the host only through these types. The reference host
 * in `host/` is one implementation; another media server implements the same
 * interfaces and loads the same `dist/plugin/index.js`.
 *
 * Versioned by HOST_API_VERSION (semver): a host declares the version it
 * implements and the manifest's `hostApi` range says which ones we accept.
 */
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { Context, Middleware } from 'koa';

export const HOST_API_VERSION = '1.1.0';

/** A user of the host, as the host knows it. */
export interface HostUser {
  readonly name: string;
  /** True when the user administers the host (sees the plugin's admin page). */
  readonly admin: boolean;
}

export interface HostUsers {
  /** Checks a password (the host compares its bcrypt hash). Null when the name or password is wrong. */
  verify(name: string, password: string): Promise<HostUser | null>;
  /** The user by name, or null. */
  find(name: string): Promise<HostUser | null>;
  /** Every user name, sorted. */
  list(): Promise<string[]>;
}

export interface HostGroups {
  /** Creates the group when it is missing; never changes an existing one's members. */
  ensure(name: string, description: string): Promise<void>;
  isMember(user: string, group: string): Promise<boolean>;
  groupsOf(user: string): Promise<string[]>;
  members(group: string): Promise<string[]>;
  addMember(group: string, user: string): Promise<void>;
  removeMember(group: string, user: string): Promise<void>;
}

/**
 * The host's key/value settings (PicApport-style keys such as
 * `robot.root.0.path`). Another process may change them: listeners are told
 * whenever the host notices a change, whoever made it.
 */
export interface HostSettings {
  get(key: string): string | undefined;
  /** A snapshot of every key. */
  all(): Readonly<Record<string, string>>;
  /** Sets keys (a null value removes the key) and persists them. */
  update(changes: Readonly<Record<string, string | null>>): Promise<void>;
  /** Calls the listener after every change; returns a function that unsubscribes. */
  onChange(listener: (changedKeys: readonly string[]) => void): () => void;
}

/**
 * Request filters run before the plugin's routes, for every request that
 * reaches the plugin while it is enabled. A filter that does not handle a
 * request calls `next()`.
 */
export interface HostFilters {
  register(filter: Middleware): void;
}

export interface UiModule {
  /** Absolute path of an ES module file of the plugin's; the host serves it. */
  readonly file: string;
  /** The custom element the module defines, placed by the host on its page. */
  readonly element: string;
  readonly title: string;
}

export interface HostUi {
  /** The plugin's page in the host's admin panel (admins only). */
  registerAdminPage(page: UiModule): void;
  /** A control shown in the host's About dialog to every logged-in user. */
  registerAboutControl(control: UiModule): void;
  /** Serves a folder of static assets (the admin-ui build) under a URL the host returns. */
  serveAssets(dir: string): string;
}

/** Tells the host's media library that files changed behind its back. */
export interface HostMedia {
  changed(absolutePath: string): void;
  removed(absolutePath: string): void;
}

export interface WebSession {
  readonly user: HostUser;
}

/** The host's web UI login: who is logged in, and CSRF protection for API calls that change state. */
export interface HostSession {
  current(ctx: Context): Promise<WebSession | null>;
  /** True when a state-changing request carries the session's CSRF token. */
  verifyCsrf(ctx: Context): boolean;
}

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * The certificate the host serves HTTPS with (since host-api 1.1.0). Dates
 * are ISO 8601 strings. `fingerprint256` is the SHA-256 of the certificate's
 * DER bytes, as colon-separated upper-case hex pairs: the form browsers,
 * Windows and macOS show, so a user can compare it before trusting a
 * self-signed certificate.
 */
export interface TlsInfo {
  readonly selfSigned: boolean;
  readonly fingerprint256: string;
  readonly issuer: string;
  readonly subject: string;
  /** The DNS names and IP addresses of the subjectAltName extension. */
  readonly domains: readonly string[];
  readonly validFrom: string;
  readonly validTo: string;
}

export interface HostTls {
  /** The certificate served now; null while the host serves plain HTTP. */
  current(): TlsInfo | null;
}

export interface HostInfo {
  readonly name: string;
  readonly version: string;
  /** The host-api version this host implements. */
  readonly apiVersion: string;
}

/**
 * Handed to `activate`. Everything the plugin registers through it belongs to
 * that activation: the host drops the router and filters on `deactivate`.
 *
 * HTTP details the host guarantees:
 * - The raw request target is available as `ctx.req.url` (never rewritten).
 * - A request with `Expect: 100-continue` reaches the routes without an
 *   interim answer; a handler that accepts the body calls
 *   `ctx.res.writeContinue()` first. A handler that refuses answers its final
 *   status and the host closes the connection.
 * - No request timeout cuts long uploads; header and idle timeouts are set.
 * - `ctx.state.remoteAddress` is the client's address (proxy-aware when the
 *   host trusts a proxy), `ctx.state.publicOrigin` the origin clients use.
 */
export interface Host {
  readonly info: HostInfo;
  readonly router: Router;
  readonly settings: HostSettings;
  readonly users: HostUsers;
  readonly groups: HostGroups;
  readonly db: Knex;
  readonly filters: HostFilters;
  readonly ui: HostUi;
  readonly media: HostMedia;
  readonly session: HostSession;
  readonly log: Logger;
  /** Since host-api 1.1.0; a host that does not say is taken to serve no certificate of its own. */
  readonly tls?: HostTls;
}

/** What the plugin's entry module exports. */
export interface PluginModule {
  activate(host: Host): Promise<void>;
  deactivate(): Promise<void>;
}

/**
 * What the host and the plugin both take for "the database cannot be reached
 * right now" rather than a bug: refused or dropped connections, a server
 * shutting down or starting, a pool that could not hand out a connection in
 * time. Both answer such a request 503 with `Retry-After:
 * DATABASE_RETRY_AFTER_SECONDS`, never 500; the connection pool reconnects
 * by itself.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const OUTAGE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
// PostgreSQL SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash, cannot connect now).
const OUTAGE_SQLSTATE = /^(08\d\d\d|57P0[123])$/;
const OUTAGE_MESSAGES =
  /Connection terminated|not queryable|Timeout acquiring a connection|connection timeout|Connection ended/i;

export function isDatabaseOutage(err: unknown): boolean {
  for (
    let e = err as (Error & { code?: unknown; errors?: unknown[] }) | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && (OUTAGE_NETWORK_CODES.has(e.code) || OUTAGE_SQLSTATE.test(e.code))) return true;
    if (e.name === 'KnexTimeoutError' || (typeof e.message === 'string' && OUTAGE_MESSAGES.test(e.message)))
      return true;
    // AggregateError (a host name with several addresses) and wrapped causes.
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseOutage(inner))) return true;
    e = e.cause as typeof e;
  }
  return false;
}
