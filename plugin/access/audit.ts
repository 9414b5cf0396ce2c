/**
 * The WebDAV audit log (`user.log.webdav=true`): one structured line per
 * request in the host's log and one row in `webdav_audit`.
 *
 * Rows are written in batches by a timer, never one INSERT in the request's
 * path (a request must not wait for the database), and kept for `webdav.audit.days`. Nothing secret is
 * recorded: no Authorization header, no password, and paths as the client
 * sees them (never a server folder). Column names avoid words PostgreSQL
 * reserves (`user`).
 */
import type { Knex } from 'knex';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from '../host-api.js';
import { parseBasicAuth } from './basic-auth.js';
import { davRequestOf } from '../dav/context.js';
import { WEBDAV_SEGMENT } from '../dav/hrefs.js';
import { parseRequestPath } from '../dav/paths.js';
import { countBodyBytes } from '../http/body-bytes.js';

export const AUDIT_TABLE = 'webdav_audit';
/** `scheme://userinfo@`: the userinfo goes, up to the last `@` of the authority. */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/;
const FLUSH_INTERVAL_MS = 1000;
const MAX_BATCH = 500;
/** Past this many unwritten entries (the database is down), the oldest are dropped and counted. */
const MAX_PENDING = 20_000;
const PRUNE_INTERVAL_MS = 3600_000;
/** The width of the mount column (mount names are at most 64 characters). */
const MOUNT_MAX = 64;

export interface AuditEntry {
  readonly time: Date;
  readonly user: string | null;
  readonly address: string;
  readonly method: string;
  readonly path: string;
  /** The share the path names (its first segment below /webdav/), whether or not it exists; null for none. */
  readonly mount: string | null;
  readonly destination: string | null;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
}

export interface AuditQuery {
  /** Matches user, path, method or address (substring, case-insensitive). */
  readonly text?: string;
  readonly offset?: number;
  readonly limit?: number;
}

export class AuditLog {
  private pending: AuditEntry[] = [];
  private dropped = 0;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Knex,
    private readonly log: Logger,
    private readonly retentionDays: () => number,
  ) {
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  record(entry: AuditEntry): void {
    logEntry(this.log, entry);
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.pending.push(entry);
  }

  /** Writes what is pending; resolves when it is in the database. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }

  /** Newest first; what is still pending is written first, so the answer includes it. */
  async search(query: AuditQuery): Promise<AuditPage> {
    await this.flush();
    return searchAudit(this.db, query);
  }

  private async writePending(): Promise<void> {
    if (this.dropped > 0) {
      this.log.warn({ dropped: this.dropped }, 'audit entries dropped: the database did not take them in time');
      this.dropped = 0;
    }
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, MAX_BATCH);
      try {
        await this.db(AUDIT_TABLE).insert(batch.map(toRow));
        this.pending.splice(0, batch.length);
      } catch (error) {
        this.log.error({ err: error }, 'audit entries could not be written; retrying');
        return;
      }
    }
  }

  private async prune(): Promise<void> {
    const before = Date.now() - this.retentionDays() * 24 * 3600_000;
    try {
      await this.db(AUDIT_TABLE).where('at_ms', '<', before).delete();
    } catch (error) {
      this.log.error({ err: error }, 'old audit entries could not be removed');
    }
  }
}

/**
 * Writes one entry at once, whether or not requests are being recorded: an
 * administrator's change (a lock removed from the admin page) is rare and
 * always kept.
 */
export async function recordNow(db: Knex, log: Logger, entry: AuditEntry): Promise<void> {
  logEntry(log, entry);
  await db(AUDIT_TABLE).insert(toRow(entry));
}

function logEntry(log: Logger, entry: AuditEntry): void {
  // The logger writes its own `time` (when the line is written, i.e. when the answer ended);
  // a second `time` key would make the line JSON with a duplicate name. The start goes as `started`.
  const { time, ...rest } = entry;
  log.info({ audit: true, started: time.toISOString(), ...rest }, `${entry.method} ${entry.path} ${entry.status}`);
}

export interface AuditPage {
  /** How many entries match the query, over every page. */
  readonly total: number;
  readonly entries: AuditEntry[];
}

/** The largest page `searchAudit` answers. */
export const AUDIT_PAGE_MAX = 500;

/**
 * Searches `webdav_audit`, newest first. Needs no running AuditLog: the admin
 * page reads what was recorded while auditing was on, also after it is
 * switched off (`user.log.webdav=false`).
 */
export async function searchAudit(db: Knex, query: AuditQuery): Promise<AuditPage> {
  const filtered = (builder: Knex.QueryBuilder) => {
    const text = query.text?.trim().toLowerCase();
    if (!text) return builder;
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return builder.where((where) => {
      for (const column of ['user_name', 'path', 'method', 'address']) {
        where.orWhereRaw(`lower(${column}) like ? escape '\\'`, [like]);
      }
    });
  };
  const [{ total }] = (await filtered(db(AUDIT_TABLE).count({ total: '*' }))) as [{ total: number | string }];
  const rows = await filtered(db(AUDIT_TABLE).select('*'))
    .orderBy([
      { column: 'at_ms', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .offset(Math.max(0, query.offset ?? 0))
    .limit(Math.min(AUDIT_PAGE_MAX, Math.max(1, query.limit ?? 50)));
  return { total: Number(total), entries: rows.map(fromRow) };
}

function toRow(entry: AuditEntry) {
  return {
    at_ms: entry.time.getTime(),
    user_name: entry.user,
    address: entry.address,
    method: entry.method,
    path: entry.path,
    mount: entry.mount,
    destination: entry.destination,
    status: entry.status,
    bytes_in: entry.bytesIn,
    bytes_out: entry.bytesOut,
    duration_ms: entry.durationMs,
  };
}

function fromRow(row: Record<string, unknown>): AuditEntry {
  return {
    time: new Date(Number(row['at_ms'])),
    user: (row['user_name'] as string | null) ?? null,
    address: String(row['address']),
    method: String(row['method']),
    path: String(row['path']),
    mount: (row['mount'] as string | null) ?? null,
    destination: (row['destination'] as string | null) ?? null,
    status: Number(row['status']),
    bytesIn: Number(row['bytes_in']),
    bytesOut: Number(row['bytes_out']),
    durationMs: Number(row['duration_ms']),
  };
}

/**
 * Records every request under /webdav once its answer is finished (or the
 * client went away). Bytes in and out are those of the bodies only
 * (http/body-bytes.ts), counted as they pass, so that streamed bodies are
 * counted without being wrapped.
 */
export function auditFilter(audit: () => AuditLog | null, isWebdav: (rawTarget: string) => boolean): Middleware {
  return async (ctx: Context, next: Next) => {
    const log = audit();
    if (!log || !isWebdav(ctx.req.url ?? '')) return next();
    const started = Date.now();
    const bodies = countBodyBytes(ctx.req, ctx.res);
    const done = () => {
      log.record({
        time: new Date(started),
        user: davRequestOf(ctx)?.user.name ?? parseBasicAuth(ctx.get('authorization') || undefined)?.user ?? null,
        address: String((ctx.state as { remoteAddress?: string }).remoteAddress ?? ctx.ip),
        method: ctx.method,
        path: readablePath(ctx.req.url ?? ''),
        mount: davRequestOf(ctx)?.target?.mount ?? mountNamedBy(ctx.req.url ?? ''),
        destination: ctx.get('destination') ? readablePath(ctx.get('destination')) : null,
        status: ctx.res.headersSent ? ctx.res.statusCode : ctx.status,
        bytesIn: bodies.received(),
        bytesOut: bodies.sent(),
        durationMs: Date.now() - started,
      });
    };
    ctx.res.once('close', done);
    await next();
  };
}

/** The share a request target names, decoded as the WebDAV filter decodes it; null for none or a malformed target. */
function mountNamedBy(rawTarget: string): string | null {
  try {
    const [prefix, mount] = parseRequestPath(rawTarget).segments;
    return prefix === WEBDAV_SEGMENT && mount !== undefined && mount.length <= MOUNT_MAX ? mount : null;
  } catch {
    return null;
  }
}

/**
 * The path as a person reads it: percent-decoded where that yields text, the
 * query left off, and without the userinfo of an absolute URL: a client may
 * send `http://user:password@host/...` as its request target or Destination,
 * and no password may reach a log (README: what the server never reveals).
 */
export function readablePath(target: string): string {
  const path = target.replace(USERINFO, '$1').split('?')[0]!.slice(0, 2048);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
