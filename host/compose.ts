/**
 * Runs koa middleware in order, each one's next() calling the one after and
 * finally `next` of the surrounding chain. (koa-compose does the same but is
 * not a dependency of ours, only of koa's.)
 */
import type { Middleware, Next, ParameterizedContext } from 'koa';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMiddleware = Middleware<any, any>;

export function compose(middleware: readonly AnyMiddleware[]): AnyMiddleware {
  return (ctx: ParameterizedContext, next: Next) => {
    let called = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= called) throw new Error('next() called more than once');
      called = i;
      const fn = i < middleware.length ? middleware[i]! : next;
      await fn(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
