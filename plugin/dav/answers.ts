/**
 * Answers shared by the writing methods: an empty success, and a 207
 * Multi-Status naming each resource that failed.
 */
import type { Context } from 'koa';
import { hrefOf } from './hrefs.js';
import { produceBody } from './response-sink.js';
import type { Failure } from './tree/failures.js';
import { MultistatusWriter } from './xml/writer.js';

/** A success without a body (201 Created, 204 No Content): koa would otherwise write the reason phrase. */
export function answerEmpty(ctx: Context, status: 201 | 204): void {
  ctx.body = null;
  ctx.status = status;
}

/** A 207 Multi-Status naming each resource that failed, with its status (§13). */
export async function answerFailures(ctx: Context, failures: readonly Failure[]): Promise<void> {
  ctx.status = 207;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = await produceBody(
    async (sink) => {
      const writer = new MultistatusWriter(sink);
      await writer.begin();
      for (const failure of failures) {
        await writer.statusResponse(hrefOf(failure, failure.isCollection), failure.status, {
          description: failure.description,
        });
      }
      await writer.end();
    },
    () => undefined, // Everything is known beforehand: only the client leaving can cut it short.
  );
}
