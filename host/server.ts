/**
 * The koa app and the HTTP(S) server around it.
 *
 * Middleware order: errors + request state + session, the host's own pages and API,
 * then every plugin behind its switch, then 404.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Context, Middleware } from 'koa';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseOutage } from '../plugin/host-api.js';
import { serveDeferringContinue } from './expect-continue.js';
import { faviconRoutes } from './favicon.js';
import type { HostServices } from './index.js';
import { pluginAssets } from './plugin-assets.js';
import type { KeyPair } from './self-signed.js';
import type { PluginManager } from './plugin-loader.js';
import { gatedRoutes } from './route-gate.js';
import { apiRoutes } from './web-api.js';
import { authRoutes } from './web-auth.js';
import { pageRoutes } from './web-pages.js';
import { TIMEOUTS, connectionsCheckingInterval } from './timeouts.js';
import { UserAdmin } from './user-admin.js';
import { userApiRoutes } from './users-api.js';
import { userPageRoutes } from './web-users.js';

export { TIMEOUTS };

/** An absolute-form request target may carry `user:password@`: never into a log. */
const withoutUserinfo = (target: string): string => target.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1');

const normalizeAddress = (a: string): string => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

/** The answer to an error no one below handled. */
function answerError(services: HostServices, ctx: Context, err: unknown): void {
  if (isDatabaseOutage(err)) return answerOutage(services, ctx, err);
  const e = err as Error & { status?: number; statusCode?: number; expose?: boolean };
  const status = Number(e.status ?? e.statusCode);
  const code = status >= 400 && status < 600 ? status : 500;
  if (code >= 500)
    services.log.error({ err, method: ctx.method, url: withoutUserinfo(ctx.req.url ?? '') }, 'request failed');
  if (ctx.headerSent || !ctx.writable) {
    // Half an answer is out: the only honest thing left is to cut the connection.
    ctx.req.socket.destroy();
    return;
  }
  const message = code < 500 && e.expose !== false ? e.message : (STATUS_CODES[code] ?? 'Error');
  ctx.status = code;
  if (ctx.path.startsWith('/api/')) ctx.body = { error: message };
  else {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = message;
  }
}

/** The database is away (restarting, network): 503 with Retry-After; the pool reconnects once it is back. */
function answerOutage(services: HostServices, ctx: Context, err: unknown): void {
  const e = err as Error & { code?: string };
  services.log.warn(
    { code: e.code, error: e.message, method: ctx.method, url: withoutUserinfo(ctx.req.url ?? '') },
    'database unavailable; answered 503',
  );
  if (ctx.headerSent || !ctx.writable) {
    ctx.req.socket.destroy();
    return;
  }
  ctx.status = 503;
  ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  const message = 'The database is unavailable; try again in a few seconds.';
  if (ctx.path.startsWith('/api/')) ctx.body = { error: message };
  else {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = message;
  }
}

/** What plugins rely on (host-api.ts): the client's address and the origin it used. */
function setRequestState(ctx: Context): void {
  // ctx.ip without a trusted proxy is the socket's address; asking koa would parse X-Forwarded-For for nothing.
  const ip = ctx.app.proxy ? ctx.ip : ctx.req.socket.remoteAddress || '';
  ctx.state['remoteAddress'] = normalizeAddress(ip);
  let host = ctx.host;
  if (!host) {
    // HTTP/1.0 without Host: the address the client connected to.
    const { localAddress, localPort } = ctx.req.socket;
    const address = normalizeAddress(localAddress ?? 'localhost');
    host = `${address.includes(':') ? `[${address}]` : address}:${localPort}`;
  }
  ctx.state['publicOrigin'] = `${ctx.protocol}://${host}`;
}

/**
 * server.hsts=true: browsers then reach this name over HTTPS only, for a year
 * (RFC 6797 §6.1.1 max-age), the value most sites send. No includeSubDomains:
 * other machines under the same domain may still speak plain HTTP. Sent on
 * HTTPS answers only (RFC 6797 §7.2; a browser ignores it over plain HTTP, §8.1).
 */
const HSTS = 'max-age=31536000';

/**
 * Errors, request state and the web session: one layer rather than three,
 * since every request passes it (each layer costs promises and a microtask).
 */
function front(services: HostServices): Middleware {
  return async (ctx, next) => {
    try {
      setRequestState(ctx);
      if (ctx.protocol === 'https' && services.settings.get('server.hsts') === 'true')
        ctx.set('Strict-Transport-Security', HSTS);
      const loading = services.sessions.preload(ctx);
      if (loading) await loading;
      await next();
    } catch (err) {
      answerError(services, ctx, err);
    }
  };
}

export function createApp(services: HostServices, plugins: PluginManager): Koa {
  const app = new Koa();
  const applyProxySetting = (): void => {
    app.proxy = services.settings.get('server.trustproxy') === 'true';
  };
  applyProxySetting();
  services.settings.onChange((keys) => {
    if (keys.includes('server.trustproxy')) applyProxySetting();
  });
  // Behind a proxy the last X-Forwarded-For entry is the one the proxy added; earlier ones are the client's word.
  app.maxIpsCount = 1;
  app.silent = true;
  app.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    services.log.warn({ err }, 'response error');
  });

  const hostRouter = new Router();
  authRoutes(hostRouter, services);
  faviconRoutes(hostRouter);
  pageRoutes(hostRouter, services, plugins);
  apiRoutes(hostRouter, services, plugins);
  const userAdmin = new UserAdmin(services.db, services.log.child({ component: 'users' }));
  userPageRoutes(hostRouter, services, userAdmin);
  userApiRoutes(hostRouter, services, userAdmin);

  app.use(front(services));
  // Not allowedMethods(): the host must not answer OPTIONS for paths that plugins serve.
  app.use(gatedRoutes(hostRouter));
  app.use(pluginAssets(plugins));
  app.use(plugins.middleware());
  app.use((ctx) => {
    ctx.status = 404;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'Not Found';
  });
  return app;
}

/** The main listener: HTTPS with the given certificate and key, or plain HTTP without. */
export function createServer(app: Koa, credentials: KeyPair | null): http.Server | https.Server {
  const common = {
    requestTimeout: TIMEOUTS.request,
    headersTimeout: TIMEOUTS.headers,
    keepAliveTimeout: TIMEOUTS.keepAlive,
    connectionsCheckingInterval: connectionsCheckingInterval(),
  };
  const server = credentials ? https.createServer({ ...common, ...credentials }) : http.createServer(common);
  server.keepAliveTimeout = TIMEOUTS.keepAlive;
  server.setTimeout(TIMEOUTS.idle);
  serveDeferringContinue(server, app.callback());
  return server;
}
