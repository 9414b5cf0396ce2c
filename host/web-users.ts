/**
 * User management in the admin panel, as forms that work without JavaScript:
 * /admin/users lists users and creates them, /admin/users/NAME changes one
 * (groups, password, admin rights, delete after a confirmation page).
 *
 * After a change the browser is sent back (303) to the page with a
 * confirmation carried by a short-lived cookie, so that reloading repeats
 * nothing. A generated password is the exception: it is answered directly,
 * once, and never stored, logged or put in a cookie or URL. A refused form is
 * answered at once with what was typed (never the passwords) and each problem
 * at its field.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { bodyOf, readBody } from './body.js';
import { UserError } from './errors.js';
import { esc, page, sendHtml } from './html.js';
import type { HostServices } from './index.js';
import type { LoadedSession } from './sessions.js';
import { SELF_DELETE, type Actor, type UserAdmin, type UserSummary } from './user-admin.js';
import { fieldErrorsOf } from './user-rules.js';
import {
  changeList,
  createForm,
  deleteConfirmation,
  notice,
  problemSummary,
  secretBox,
  STYLE,
  userSections,
  usersTable,
  userUrl,
  type CreateForm,
  type Generated,
  type Problems,
  type Spot,
} from './users-html.js';
import { requireAdmin, requireCsrf } from './web-auth.js';

const NOTICE_COOKIE = 'mediahost_notice';
const NOTICE_PATH = '/admin/users';

/** Keeps the confirmation for the page the browser is sent to next. */
function setNotice(ctx: Context, text: string): void {
  ctx.cookies.set(NOTICE_COOKIE, encodeURIComponent(text), {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.cookies.secure,
    path: NOTICE_PATH,
    maxAge: 60_000,
    overwrite: true,
  });
}

/** The confirmation left by the previous request, shown once. */
function takeNotice(ctx: Context): string | undefined {
  const value = ctx.cookies.get(NOTICE_COOKIE);
  if (value === undefined) return undefined;
  ctx.cookies.set(NOTICE_COOKIE, '', { path: NOTICE_PATH, maxAge: 0, secure: ctx.cookies.secure, overwrite: true });
  try {
    return decodeURIComponent(value).slice(0, 300);
  } catch {
    return undefined;
  }
}

/** A form field's values: qs gives one string, an array, or past 20 values an object. */
function formList(value: unknown): string[] {
  const values =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value
        : value && typeof value === 'object'
          ? Object.values(value)
          : [];
  return values.filter((v): v is string => typeof v === 'string');
}

const formText = (value: unknown): string => (typeof value === 'string' ? value : '');

const actorOf = (session: LoadedSession): Actor => ({
  name: session.user.name,
  user: session.user.name,
  via: 'web',
  session: session.tokenHash,
});

/** A rule's message ("the password may not be empty") as a sentence on a page. */
const sentence = (message: string): string => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

/** The refusal's message at the spot it is about; a problem that is no form field's goes to `fallback`. */
function problemsOf(err: unknown, fallback: Spot): Problems {
  if (!(err instanceof UserError)) throw err;
  const fields = fieldErrorsOf(err);
  if (fields.length === 0) return { [fallback]: sentence(err.message) };
  const problems: Problems = {};
  for (const f of fields)
    problems[f.field] = problems[f.field] ? `${problems[f.field]} ${sentence(f.message)}` : sentence(f.message);
  return problems;
}

const statusOf = (err: unknown): number => (err instanceof UserError ? err.status : 400);

export function userPageRoutes(router: Router, services: HostServices, admin: UserAdmin): void {
  interface ListState {
    notice?: string;
    generated?: Generated;
    form?: CreateForm;
    problems?: Problems;
  }

  async function listPage(ctx: Context, session: LoadedSession, status: number, state: ListState): Promise<void> {
    const [users, groups, changes] = await Promise.all([admin.users(), admin.groups(), admin.audit({ limit: 25 })]);
    const problems = state.problems ?? {};
    const body = `${notice(state.notice)}
${secretBox(state.generated)}
${problemSummary(problems, { name: 'new-name', password: 'new-password', groups: 'new-groups' })}
<p>Open a user to change their groups, password or administrator rights, or to delete them. The command line does the same: <code>mediahost user</code>, <code>mediahost group</code>.</p>
${usersTable(users, session.user.name)}
<section aria-labelledby="create-title">
<h2 id="create-title">Create a user</h2>
${createForm(session.csrfToken, groups, state.form ?? { name: '', admin: false, groups: [] }, problems)}
</section>
<section aria-labelledby="recent-title">
<h2 id="recent-title">Recent changes</h2>
${changeList(changes, 'No changes to users recorded yet.')}
</section>`;
    sendHtml(ctx, status, page({ title: 'Users', session, body, head: STYLE }));
  }

  interface UserState {
    notice?: string;
    generated?: Generated;
    problems?: Problems;
    chosen?: readonly string[];
  }

  async function userPage(
    ctx: Context,
    session: LoadedSession,
    user: UserSummary,
    status: number,
    state: UserState,
  ): Promise<void> {
    const [groups, changes] = await Promise.all([admin.groups(), admin.audit({ limit: 25, target: user.name })]);
    const problems = state.problems ?? {};
    const body = `<p><a href="/admin/users">← All users</a></p>
${notice(state.notice)}
${secretBox(state.generated)}
${problemSummary(problems, { password: 'set-password', groups: 'user-groups', admin: 'admin-title', delete: 'delete-title' })}
${userSections({ csrf: session.csrfToken, me: session.user.name, user, groups, changes, problems, chosen: state.chosen })}`;
    sendHtml(ctx, status, page({ title: `User ${user.name}`, session, body, head: STYLE }));
  }

  function noSuchUser(ctx: Context, session: LoadedSession, name: string): void {
    sendHtml(
      ctx,
      404,
      page({
        title: 'No such user',
        session,
        body: `<p role="alert">There is no user “${esc(name.normalize('NFC'))}”: someone may have deleted it.</p><p><a href="/admin/users">All users</a></p>`,
        head: STYLE,
      }),
    );
  }

  /** An admin's GET, or an admin's POST with a valid CSRF token and its form read. */
  const admitted = async (ctx: Context, change: boolean): Promise<LoadedSession | null> => {
    const session = await requireAdmin(ctx, services);
    if (!session) return null;
    if (change) {
      await readBody(ctx);
      if (!requireCsrf(ctx, services, session)) return null;
    }
    return session;
  };

  /** The user of the URL, or null after answering 404. */
  const userOf = async (ctx: Context, session: LoadedSession): Promise<UserSummary | null> => {
    const user = await admin.user(ctx.params['name']!);
    if (!user) noSuchUser(ctx, session, ctx.params['name']!);
    return user;
  };

  const backTo = (ctx: Context, url: string, text: string): void => {
    setNotice(ctx, text);
    ctx.status = 303;
    ctx.redirect(url);
  };

  router.get('/admin/users', async (ctx) => {
    const session = await admitted(ctx, false);
    if (session) await listPage(ctx, session, 200, { notice: takeNotice(ctx) });
  });

  router.post('/admin/users', async (ctx) => {
    const session = await admitted(ctx, true);
    if (!session) return;
    const body = bodyOf(ctx);
    const form: CreateForm = {
      name: formText(body['name']),
      admin: body['admin'] === 'true',
      groups: formList(body['groups']),
    };
    const typed = formText(body['password']);
    try {
      const created = await admin.create(actorOf(session), { ...form, password: typed === '' ? undefined : typed });
      const text = `User ${created.user.name} created.`;
      if (!created.generatedPassword) return backTo(ctx, '/admin/users', text);
      await listPage(ctx, session, 201, {
        notice: text,
        generated: { user: created.user.name, password: created.generatedPassword },
      });
    } catch (err) {
      await listPage(ctx, session, statusOf(err), { form, problems: problemsOf(err, 'name') });
    }
  });

  router.get('/admin/users/:name', async (ctx) => {
    const session = await admitted(ctx, false);
    const user = session && (await userOf(ctx, session));
    if (user) await userPage(ctx, session!, user, 200, { notice: takeNotice(ctx) });
  });

  router.post('/admin/users/:name/groups', async (ctx) => {
    const session = await admitted(ctx, true);
    const user = session && (await userOf(ctx, session));
    if (!user) return;
    const body = bodyOf(ctx);
    const ticked = formList(body['groups']);
    // Groups the page did not show (created since it was drawn) keep their membership.
    const shown = new Set(formList(body['shown']));
    const wanted = [...user.groups.filter((g) => !shown.has(g)), ...ticked];
    try {
      const { added, removed } = await admin.setGroups(actorOf(session!), user.name, wanted);
      const parts = [
        added.length ? `added to ${added.join(', ')}` : '',
        removed.length ? `removed from ${removed.join(', ')}` : '',
      ].filter(Boolean);
      backTo(
        ctx,
        userUrl(user.name),
        parts.length ? `${user.name}: ${parts.join('; ')}.` : `No change to the groups of ${user.name}.`,
      );
    } catch (err) {
      await userPage(ctx, session!, user, statusOf(err), { problems: problemsOf(err, 'groups'), chosen: ticked });
    }
  });

  for (const route of ['password', 'password-reset'] as const) {
    router.post(`/admin/users/:name/${route}`, async (ctx) => {
      const session = await admitted(ctx, true);
      const user = session && (await userOf(ctx, session));
      if (!user) return;
      const typed = route === 'password' ? formText(bodyOf(ctx)['password']) : undefined;
      try {
        const { generatedPassword, sessionsEnded } = await admin.setPassword(actorOf(session!), user.name, typed);
        const ended = sessionsEnded ? ` ${sessionsEnded} web session${sessionsEnded === 1 ? '' : 's'} ended.` : '';
        const text = `${generatedPassword ? 'New password generated' : 'Password set'} for ${user.name}.${ended}`;
        if (!generatedPassword) return backTo(ctx, userUrl(user.name), text);
        await userPage(ctx, session!, user, 200, {
          notice: text,
          generated: { user: user.name, password: generatedPassword },
        });
      } catch (err) {
        await userPage(ctx, session!, user, statusOf(err), { problems: problemsOf(err, 'password') });
      }
    });
  }

  router.post('/admin/users/:name/admin', async (ctx) => {
    const session = await admitted(ctx, true);
    const user = session && (await userOf(ctx, session));
    if (!user) return;
    const value = bodyOf(ctx)['admin'] === 'true';
    try {
      await admin.setAdmin(actorOf(session!), user.name, value);
      backTo(
        ctx,
        userUrl(user.name),
        value ? `${user.name} is now an administrator.` : `${user.name} is no longer an administrator.`,
      );
    } catch (err) {
      await userPage(ctx, session!, user, statusOf(err), { problems: problemsOf(err, 'admin') });
    }
  });

  router.get('/admin/users/:name/delete', async (ctx) => {
    const session = await admitted(ctx, false);
    const user = session && (await userOf(ctx, session));
    if (!user) return;
    if (user.name === session!.user.name)
      return userPage(ctx, session!, user, 409, {
        problems: { delete: sentence(SELF_DELETE) },
      });
    sendHtml(
      ctx,
      200,
      page({
        title: `Delete ${user.name}?`,
        session: session!,
        body: deleteConfirmation(session!.csrfToken, user),
        head: STYLE,
      }),
    );
  });

  router.post('/admin/users/:name/delete', async (ctx) => {
    const session = await admitted(ctx, true);
    const user = session && (await userOf(ctx, session));
    if (!user) return;
    try {
      await admin.remove(actorOf(session!), user.name);
      backTo(ctx, '/admin/users', `User ${user.name} deleted.`);
    } catch (err) {
      await userPage(ctx, session!, user, statusOf(err), { problems: problemsOf(err, 'delete') });
    }
  });
}
