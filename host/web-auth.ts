/**
 * Login and logout of the host's web UI, and the checks other routes use to
 * require a logged-in user or an admin.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { bodyOf, parseBody } from './body.js';
import { esc, page, sendHtml } from './html.js';
import type { HostServices } from './index.js';
import { isSharedDatabase } from './db.js';
import { LoginThrottle } from './login-throttle.js';
import { SharedLoginThrottle } from './shared-login-throttle.js';
import type { LoadedSession } from './sessions.js';

/** Only local paths: `next=//evil.example` or `next=https://...` must not turn the login into an open redirect. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

const isApi = (ctx: Context): boolean => ctx.path.startsWith('/api/');

function deny(ctx: Context, session: LoadedSession | null, status: 401 | 403): void {
  if (isApi(ctx)) {
    ctx.status = status;
    ctx.body = { error: status === 401 ? 'log in first' : 'administrators only' };
  } else if (status === 401) {
    ctx.redirect(`/login?next=${encodeURIComponent(ctx.originalUrl)}`);
    ctx.status = 303;
  } else {
    sendHtml(ctx, 403, page({ title: 'Not allowed', session, body: '<p>This page is for administrators only.</p>' }));
  }
}

/** The session, or null after answering 401 (API) / a redirect to the login page. */
export async function requireUser(ctx: Context, services: HostServices): Promise<LoadedSession | null> {
  const session = await services.sessions.current(ctx);
  if (!session) deny(ctx, null, 401);
  return session;
}

/** The session of an admin, or null after answering 401/403. */
export async function requireAdmin(ctx: Context, services: HostServices): Promise<LoadedSession | null> {
  const session = await requireUser(ctx, services);
  if (!session) return null;
  if (!session.user.admin) {
    deny(ctx, session, 403);
    return null;
  }
  return session;
}

/** Answers 403 and returns false when a state-changing request lacks the session's CSRF token. */
export function requireCsrf(ctx: Context, services: HostServices, session: LoadedSession): boolean {
  if (services.sessions.verifyCsrf(ctx)) return true;
  if (isApi(ctx)) {
    ctx.status = 403;
    ctx.body = { error: 'missing or wrong CSRF token (send the X-CSRF-Token header)' };
  } else {
    sendHtml(
      ctx,
      403,
      page({
        title: 'Not allowed',
        session,
        body: '<p>The form has expired. Go back, reload the page and try again.</p>',
      }),
    );
  }
  return false;
}

function loginForm(next: string, name = '', error = ''): string {
  return `${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${esc(next)}">
<label for="name">User name</label>
<input type="text" id="name" name="name" value="${esc(name)}" autocomplete="username" autocapitalize="none" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`;
}

export function authRoutes(router: Router, services: HostServices): void {
  const throttle = isSharedDatabase(services.db) ? new SharedLoginThrottle(services.db) : new LoginThrottle();

  router.get('/login', async (ctx) => {
    if (await services.sessions.current(ctx)) return ctx.redirect(safeNext(ctx.query['next']));
    sendHtml(ctx, 200, page({ title: 'Log in', session: null, body: loginForm(safeNext(ctx.query['next'])) }));
  });

  router.post('/login', parseBody, async (ctx) => {
    const body = bodyOf(ctx);
    const name = typeof body['name'] === 'string' ? body['name'] : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const next = safeNext(body['next']);
    const address = String(ctx.state['remoteAddress']);
    const wait = await throttle.waitMs(name, address);
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      const error = `Too many failed attempts. Try again in ${Math.ceil(wait / 60000)} minutes.`;
      return sendHtml(ctx, 429, page({ title: 'Log in', session: null, body: loginForm(next, name, error) }));
    }
    const user = name && password ? await services.users.verify(name, password) : null;
    if (!user) {
      await throttle.failed(name, address);
      services.log.info({ user: name, remoteAddress: address }, 'web login failed');
      return sendHtml(
        ctx,
        401,
        page({ title: 'Log in', session: null, body: loginForm(next, name, 'Wrong user name or password.') }),
      );
    }
    await throttle.succeeded(name, address);
    await services.sessions.create(ctx, user);
    services.log.info({ user: user.name, remoteAddress: address }, 'web login');
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.get('/logout', async (ctx) => {
    const session = await services.sessions.current(ctx);
    if (!session) return ctx.redirect('/login');
    sendHtml(
      ctx,
      200,
      page({ title: 'Log out', session, body: '<p>Use the “Log out” button at the top of the page.</p>' }),
    );
  });

  router.post('/logout', parseBody, async (ctx) => {
    const session = await services.sessions.current(ctx);
    if (session && !requireCsrf(ctx, services, session)) return;
    await services.sessions.destroy(ctx);
    ctx.status = 303;
    ctx.redirect('/login');
  });
}
