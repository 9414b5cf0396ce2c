/**
 * Web login sessions. The cookie carries a random token; the database keeps
 * only its SHA-256, so a copy of the database does not log anyone in.
 * Each session has a CSRF token that state-changing requests must echo
 * (SameSite=Lax alone does not cover same-site attackers or old browsers).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Context } from 'koa';
import type { HostSession, HostUser, WebSession } from '../plugin/host-api.js';
import { toBool } from './db.js';

export const SESSION_COOKIE = 'mediahost_session';
const TTL_MS = 7 * 24 * 3600 * 1000;

export interface LoadedSession extends WebSession {
  readonly csrfToken: string;
  readonly tokenHash: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const newToken = (): string => randomBytes(32).toString('base64url');

/** Equal-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Whether the session cookie gets the Secure flag: as the request's cookie
 * jar decided when it was created. Asking ctx.secure again could give another
 * answer when server.trustproxy was switched during the request, and the jar
 * then refuses a Secure cookie with a 500.
 */
const secureCookies = (ctx: Context): boolean => ctx.cookies.secure;

export class Sessions implements HostSession {
  // Per request: loading a session is one query, and verifyCsrf (synchronous) needs it loaded.
  private readonly loaded = new WeakMap<Context, LoadedSession | null>();

  constructor(private readonly db: Knex) {}

  async current(ctx: Context): Promise<LoadedSession | null> {
    if (this.loaded.has(ctx)) return this.loaded.get(ctx)!;
    const token = ctx.cookies.get(SESSION_COOKIE);
    let session: LoadedSession | null = null;
    if (token) {
      const row = (await this.db('sessions as s')
        .join('users as u', 'u.id', 's.user_id')
        .where('s.token_hash', sha256(token))
        .andWhere('s.expires_at', '>', Date.now())
        .first('s.token_hash as tokenHash', 's.csrf_token as csrfToken', 'u.name as name', 'u.admin as admin')) as
        { tokenHash: string; csrfToken: string; name: string; admin: unknown } | undefined;
      if (row)
        session = {
          user: { name: row.name, admin: toBool(row.admin) },
          csrfToken: row.csrfToken,
          tokenHash: row.tokenHash,
        };
    }
    this.loaded.set(ctx, session);
    return session;
  }

  verifyCsrf(ctx: Context): boolean {
    const session = this.loaded.get(ctx);
    if (!session) return false;
    const header = ctx.get('x-csrf-token');
    const body = (ctx.request as { body?: unknown }).body;
    const field = body && typeof body === 'object' ? (body as Record<string, unknown>)['_csrf'] : undefined;
    const sent = header || (typeof field === 'string' ? field : '');
    return sent !== '' && sameSecret(sent, session.csrfToken);
  }

  /**
   * Loads the session of a request that carries the cookie, so that plugins
   * can call verifyCsrf without awaiting current() first. Undefined, at no
   * cost, for requests without it (WebDAV clients): looking at the raw header
   * spares them koa's cookie jar.
   */
  preload(ctx: Context): Promise<unknown> | undefined {
    const header = ctx.req.headers.cookie;
    if (header === undefined || !header.includes(SESSION_COOKIE) || !ctx.cookies.get(SESSION_COOKIE)) return undefined;
    return this.current(ctx);
  }

  async create(ctx: Context, user: HostUser): Promise<LoadedSession> {
    const token = newToken();
    const csrfToken = newToken();
    const tokenHash = sha256(token);
    const userRow = (await this.db('users').where({ name: user.name }).first('id')) as { id: number } | undefined;
    if (!userRow) throw new Error(`user ${user.name} vanished while logging in`);
    await this.db('sessions').where('expires_at', '<', Date.now()).delete();
    await this.db('sessions').insert({
      token_hash: tokenHash,
      user_id: userRow.id,
      csrf_token: csrfToken,
      expires_at: Date.now() + TTL_MS,
    });
    ctx.cookies.set(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(ctx),
      path: '/',
      maxAge: TTL_MS,
      overwrite: true,
    });
    const session = { user, csrfToken, tokenHash };
    this.loaded.set(ctx, session);
    return session;
  }

  async destroy(ctx: Context): Promise<void> {
    const session = await this.current(ctx);
    if (session) await this.db('sessions').where({ token_hash: session.tokenHash }).delete();
    ctx.cookies.set(SESSION_COOKIE, '', {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(ctx),
      path: '/',
      maxAge: 0,
      overwrite: true,
    });
    this.loaded.set(ctx, null);
  }
}
