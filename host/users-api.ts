/**
 * The JSON API of user management under /api/host/: what the admin pages do,
 * for scripts and tests. Admins only; every change needs the session's CSRF
 * token (X-CSRF-Token) and a JSON body; an error is {"error": "..."}, plus
 * "fields" naming the field each problem is about.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { describeChange, type AuditEntry } from './admin-audit.js';
import { bodyOf, readBody } from './body.js';
import { UserError } from './errors.js';
import type { HostServices } from './index.js';
import type { LoadedSession } from './sessions.js';
import type { Actor, UserAdmin } from './user-admin.js';
import { fieldErrorsOf } from './user-rules.js';
import { requireAdmin, requireCsrf } from './web-auth.js';

const PREFIX = '/api/host';

/** A JSON body's problem: 400 naming what to send. */
class BadBody extends UserError {}

type Body = Record<string, unknown>;

/** The body's fields, refusing keys the route does not know (a typo must not pass unnoticed). */
function fieldsOf(ctx: Context, allowed: readonly string[]): Body {
  if (!ctx.is('application/json')) throw new BadBody('send a JSON body (Content-Type: application/json)', 415);
  const body = bodyOf(ctx);
  const unknown = Object.keys(body).filter((k) => k !== '_csrf' && !allowed.includes(k));
  if (unknown.length > 0)
    throw new BadBody(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return body;
}

function optional<T>(body: Body, key: string, type: 'string' | 'boolean', what: string): T | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== type) throw new BadBody(`"${key}" must be ${what}`);
  return value as T;
}

function stringList(body: Body, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new BadBody(`"${key}" must be a list of group names`);
  return value as string[];
}

/** The typed password, or undefined for "generate one"; exactly one of the two must be asked for. */
function passwordChoice(body: Body): string | undefined {
  const password = optional<string>(body, 'password', 'string', 'a string');
  const generate = optional<boolean>(body, 'generatePassword', 'boolean', 'true or false');
  if ((password === undefined) === (generate !== true))
    throw new BadBody('send either "password" or "generatePassword": true');
  return password;
}

const actorOf = (session: LoadedSession): Actor => ({
  name: session.user.name,
  user: session.user.name,
  via: 'api',
  session: session.tokenHash,
});

const entryJson = (e: AuditEntry): Record<string, unknown> => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  via: e.via,
  action: e.action,
  user: e.target,
  details: e.details,
  summary: `${e.actor} ${describeChange(e)}`,
});

const userPath = (name: string): string => `${PREFIX}/users/${encodeURIComponent(name)}`;

/** Answers a UserError as JSON; anything else is not the caller's fault and goes on to the host's error answer. */
function answerRefusal(ctx: Context, err: unknown): void {
  if (!(err instanceof UserError)) throw err;
  const fields = fieldErrorsOf(err);
  ctx.status = err.status;
  ctx.body = {
    error: err.message,
    ...(fields.length ? { fields: Object.fromEntries(fields.map((f) => [f.field, f.message])) } : {}),
  };
}

export function userApiRoutes(router: Router, services: HostServices, admin: UserAdmin): void {
  /** An admin's request: read, or (with a body and the CSRF token) a change. */
  const route =
    (change: boolean, handle: (ctx: Context, session: LoadedSession) => Promise<void>) =>
    async (ctx: Context): Promise<void> => {
      const session = await requireAdmin(ctx, services);
      if (!session) return;
      ctx.set('Cache-Control', 'no-store');
      if (change) {
        await readBody(ctx);
        if (!requireCsrf(ctx, services, session)) return;
      }
      try {
        await handle(ctx, session);
      } catch (err) {
        answerRefusal(ctx, err);
      }
    };

  const existing = async (ctx: Context): Promise<NonNullable<Awaited<ReturnType<UserAdmin['user']>>>> => {
    const user = await admin.user(ctx.params['name']!);
    if (!user) throw new UserError(`there is no user "${ctx.params['name']!.normalize('NFC')}"`, 404);
    return user;
  };

  router.get(
    `${PREFIX}/users`,
    route(false, async (ctx) => {
      ctx.body = await admin.users();
    }),
  );

  router.get(
    `${PREFIX}/groups`,
    route(false, async (ctx) => {
      ctx.body = await admin.groups();
    }),
  );

  router.get(
    `${PREFIX}/audit`,
    route(false, async (ctx) => {
      const limit = ctx.query['limit'];
      if (limit !== undefined && (typeof limit !== 'string' || !/^\d{1,3}$/.test(limit) || Number(limit) < 1))
        throw new BadBody('"limit" is a number from 1 to 500');
      const user = ctx.query['user'];
      if (user !== undefined && typeof user !== 'string') throw new BadBody('"user" is one user name');
      ctx.body = (await admin.audit({ limit: limit ? Number(limit) : 50, target: user?.normalize('NFC') })).map(
        entryJson,
      );
    }),
  );

  router.post(
    `${PREFIX}/users`,
    route(true, async (ctx, session) => {
      const body = fieldsOf(ctx, ['name', 'password', 'generatePassword', 'admin', 'groups']);
      const name = body['name'];
      if (typeof name !== 'string') throw new BadBody('"name" (the user name, a string) is required');
      const created = await admin.create(actorOf(session), {
        name,
        password: passwordChoice(body),
        admin: optional<boolean>(body, 'admin', 'boolean', 'true or false'),
        groups: stringList(body, 'groups'),
      });
      ctx.status = 201;
      ctx.set('Location', userPath(created.user.name));
      ctx.body = { user: created.user, ...(created.generatedPassword ? { password: created.generatedPassword } : {}) };
    }),
  );

  router.get(
    `${PREFIX}/users/:name`,
    route(false, async (ctx) => {
      ctx.body = await existing(ctx);
    }),
  );

  router.put(
    `${PREFIX}/users/:name/password`,
    route(true, async (ctx, session) => {
      const body = fieldsOf(ctx, ['password', 'generatePassword']);
      const result = await admin.setPassword(actorOf(session), ctx.params['name']!, passwordChoice(body));
      ctx.body = {
        sessionsEnded: result.sessionsEnded,
        ...(result.generatedPassword ? { password: result.generatedPassword } : {}),
      };
    }),
  );

  router.put(
    `${PREFIX}/users/:name/groups`,
    route(true, async (ctx, session) => {
      const groups = stringList(fieldsOf(ctx, ['groups']), 'groups');
      if (!groups) throw new BadBody('send {"groups": [...]}, every group the user should be in');
      const { added, removed } = await admin.setGroups(actorOf(session), ctx.params['name']!, groups);
      ctx.body = { user: await existing(ctx), added, removed };
    }),
  );

  router.put(
    `${PREFIX}/users/:name/admin`,
    route(true, async (ctx, session) => {
      const value = optional<boolean>(fieldsOf(ctx, ['admin']), 'admin', 'boolean', 'true or false');
      if (value === undefined) throw new BadBody('send {"admin": true} or {"admin": false}');
      await admin.setAdmin(actorOf(session), ctx.params['name']!, value);
      ctx.body = { user: await existing(ctx) };
    }),
  );

  router.delete(
    `${PREFIX}/users/:name`,
    route(true, async (ctx, session) => {
      await admin.remove(actorOf(session), ctx.params['name']!);
      ctx.status = 204;
    }),
  );
}
