import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { firstSegments, gatedRoutes } from '../../host/route-gate.js';

/** Runs `gate` on a request for `url` the way koa would; what answered it: a route, or the next middleware. */
async function answeredBy(gate: Middleware, method: string, url: string): Promise<string> {
  const app = new Koa();
  const ctx = app.createContext(
    { url, method, headers: { host: 'localhost' }, socket: {} } as never,
    { getHeader: () => undefined, setHeader: () => undefined, removeHeader: () => undefined } as never,
  ) as Context;
  let answer = 'next';
  ctx.state['answer'] = (a: string) => (answer = a);
  await gate(ctx, () => Promise.resolve());
  return answer;
}

function hostLikeRouter(): Router {
  const router = new Router();
  const mark = (name: string) => (ctx: Context) => void (ctx.state['answer'] as (a: string) => void)(name);
  router.get('/', mark('home'));
  router.get('/login', mark('login'));
  router.get('/admin/pages/:n', mark('admin page'));
  router.post('/api/host/plugins/:id', mark('switch'));
  return router;
}

describe('route gate', () => {
  it('lets through what the router has a route for, in any case and with a trailing slash', async () => {
    const gate = gatedRoutes(hostLikeRouter());
    assert.equal(await answeredBy(gate, 'GET', '/'), 'home');
    assert.equal(await answeredBy(gate, 'GET', '/login'), 'login');
    assert.equal(await answeredBy(gate, 'GET', '/LOGIN/'), 'login');
    assert.equal(await answeredBy(gate, 'GET', '/Admin/pages/2?x=1'), 'admin page');
    assert.equal(await answeredBy(gate, 'POST', '/api/host/plugins/fixture'), 'switch');
  });

  it('passes every other path on without the router', async () => {
    const gate = gatedRoutes(hostLikeRouter());
    assert.equal(await answeredBy(gate, 'PROPFIND', '/webdav/share/a.jpg'), 'next');
    assert.equal(await answeredBy(gate, 'GET', '/loginx'), 'next');
    assert.equal(await answeredBy(gate, 'GET', '/api/plugins/webdav/about'), 'next');
  });

  it('follows routes added after it was made', async () => {
    const router = hostLikeRouter();
    const gate = gatedRoutes(router);
    assert.equal(await answeredBy(gate, 'GET', '/later'), 'next');
    router.get('/later', (ctx) => void (ctx.state['answer'] as (a: string) => void)('later'));
    assert.equal(await answeredBy(gate, 'GET', '/later'), 'later');
  });

  it('gives up the shortcut for a route that does not start with a plain segment', () => {
    assert.deepEqual([...firstSegments(hostLikeRouter())!].sort(), ['', 'admin', 'api', 'login']);
    const withParam = hostLikeRouter();
    withParam.get('/:anything', () => undefined);
    assert.equal(firstSegments(withParam), null);
    const withUse = hostLikeRouter();
    withUse.use((_ctx, next) => next());
    assert.equal(firstSegments(withUse), null);
  });
});
