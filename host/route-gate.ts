/**
 * The host's router in front of every plugin: most requests (all of WebDAV)
 * are for paths it has no route for, and @koa/router would still test each of
 * its routes' patterns, allocate its match result and set ctx.matched and
 * ctx.router, before the plugin's router does the same again. The gate lets
 * through only paths whose first segment one of its routes starts with.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';

/** A segment that stands for itself in a route pattern: no parameter, wildcard, group or escape. */
const LITERAL = /^[A-Za-z0-9._~-]*$/;

/**
 * Lower-cased, as @koa/router matches without regard to case (its default)
 * and all our patterns are ASCII: lower-casing never tells apart two spellings
 * its patterns would both match.
 */
const firstSegment = (path: string): string => {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
};

/**
 * The first segments of the router's routes, or null when one of them does
 * not start with a plain segment (a parameter, or middleware mounted with
 * router.use()): then every request must go through it.
 */
export function firstSegments(router: Router): ReadonlySet<string> | null {
  const segments = new Set<string>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || !layer.path.startsWith('/') || layer.methods.length === 0) return null;
    const segment = firstSegment(layer.path);
    if (!LITERAL.test(segment)) return null;
    segments.add(segment);
  }
  return segments;
}

/** router.routes() for the requests it may have a route for; the others pass straight on. */
export function gatedRoutes(router: Router): Middleware {
  const routes = router.routes() as Middleware;
  // Read again whenever routes were added since, e.g. after the router was mounted.
  let segments: ReadonlySet<string> | null = null;
  let counted = -1;
  return (ctx, next) => {
    if (counted !== router.stack.length) {
      segments = firstSegments(router);
      counted = router.stack.length;
    }
    return segments === null || segments.has(firstSegment(ctx.path)) ? routes(ctx, next) : next();
  };
}
