/**
 * The small HTTP toolkit of the plugin's JSON API: who may call (checked on
 * the server, through host.session), CSRF on every state-changing call, JSON
 * bodies read from the stream with a size cap, and validation against the
 * JSON Schemas in schemas/ with messages that name the field.
 *
 * koa-body is not mounted: the host's parser is the host's business, and a
 * global body parser would read (and cap) WebDAV uploads that PUT streams to
 * disk.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'koa';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { HostSession, WebSession } from '../host-api.js';
import { acceptBodyUpTo, closeUnlessBodyRead } from '../http/expect-continue.js';
import { MOUNT_NAME_RULE } from './share-entries.js';

/** Bodies of the admin API are a few fields; anything larger is refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;

/** An answer that ends the request: thrown by the helpers, sent by `handle`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Per field, for forms: `{ mount: 'already used by webdav.0' }`. */
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** A field error: 400 whose message starts with the field's name. */
export function fieldErrors(fields: Readonly<Record<string, string>>): ApiError {
  const message = Object.entries(fields)
    .map(([field, text]) => `${field}: ${text}`)
    .join('; ');
  return new ApiError(400, message, fields);
}

export function sendJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = body;
}

type Handler = (ctx: Context) => Promise<void>;

/** Runs a handler and turns an ApiError into its JSON answer; anything else is the host's 500. */
export function handle(fn: Handler): Handler {
  return async (ctx) => {
    try {
      await fn(ctx);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(ctx, error.status, { error: error.message, ...(error.fields ? { fields: error.fields } : {}) });
    }
  };
}

/** The logged-in user's session; 401 when nobody is logged in. */
export async function requireUser(session: HostSession, ctx: Context): Promise<WebSession> {
  const current = await session.current(ctx);
  if (!current) throw new ApiError(401, 'log in first');
  return current;
}

/** An administrator's session: 401 when nobody is logged in, 403 for everyone else. */
export async function requireAdmin(session: HostSession, ctx: Context): Promise<WebSession> {
  const current = await requireUser(session, ctx);
  if (!current.user.admin) throw new ApiError(403, 'administrators only');
  return current;
}

/** 403 unless the request carries the session's CSRF token (header X-CSRF-Token). */
export function requireCsrf(session: HostSession, ctx: Context): void {
  if (!session.verifyCsrf(ctx)) throw new ApiError(403, 'missing or wrong CSRF token (send the X-CSRF-Token header)');
}

/**
 * The JSON body, read from the stream with a cap: 415 unless it is
 * application/json, 413 past MAX_BODY_BYTES, 400 when it does not parse.
 */
export async function readJson(ctx: Context, limit = MAX_BODY_BYTES): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw new ApiError(415, 'send a JSON body (Content-Type: application/json)');
  }
  // Past the cap the body is neither invited nor read, and the connection closes (http/expect-continue.ts).
  if (!acceptBodyUpTo(ctx, limit)) {
    closeUnlessBodyRead(ctx);
    throw new ApiError(413, `the body is larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      throw new ApiError(413, `the body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'the body is not valid JSON');
  }
}

const Ajv = AjvModule.default ?? AjvModule;
const ajv = new Ajv({ allErrors: true });
const coercing = new Ajv({ allErrors: true, coerceTypes: true });

/** A validator for schemas/<name>, compiled once. */
export function schemaValidator<T>(name: string, options: { coerce?: boolean } = {}): (value: unknown) => T {
  const schema = JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
  const validate = (options.coerce ? coercing : ajv).compile(schema) as ValidateFunction<T>;
  return (value) => {
    if (validate(value)) return value;
    throw fieldErrors(describeErrors(validate.errors ?? []));
  };
}

/** Friendly words for the fields the API takes; anything else keeps ajv's message. */
const FIELD_WORDS: Record<string, Partial<Record<string, string>>> = {
  mount: {
    pattern: MOUNT_NAME_RULE,
    not: 'may not be "." or ".."',
    type: 'must be text',
  },
  folder: {
    minLength: 'give the folder as an absolute path, e.g. /srv/scans',
    maxLength: 'is too long',
    type: 'must be text',
  },
  readonly: { type: 'must be true or false' },
  dateMount: {
    maxLength: MOUNT_NAME_RULE,
    type: 'must be text',
  },
  inbox: { maxLength: 'is too long', type: 'must be text' },
  q: { maxLength: 'is longer than 200 characters' },
  offset: { type: 'must be a whole number', minimum: 'may not be negative' },
  limit: { type: 'must be a whole number', minimum: 'must be 1 to 500', maximum: 'must be 1 to 500' },
  days: { type: 'must be a whole number', minimum: 'must be 1 to 366', maximum: 'must be 1 to 366' },
  utcOffset: {
    type: 'must be a whole number of minutes',
    minimum: 'must be -840 to 840 minutes',
    maximum: 'must be -840 to 840 minutes',
  },
  user: { maxLength: 'is longer than 256 characters' },
  share: { maxLength: 'is longer than 64 characters' },
};

function describeErrors(errors: readonly ErrorObject[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    let field = error.instancePath.split('/')[1] ?? '';
    let text: string;
    if (error.keyword === 'required') {
      field = String((error.params as { missingProperty: string }).missingProperty);
      text = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      field = String((error.params as { additionalProperty: string }).additionalProperty);
      text = 'is not a field of this request';
    } else if (error.keyword === 'minProperties') {
      field = 'body';
      text = 'send at least one field to change';
    } else if (error.keyword === 'type' && field === '') {
      field = 'body';
      text = 'must be a JSON object';
    } else {
      text = FIELD_WORDS[field]?.[error.keyword] ?? error.message ?? 'is not valid';
    }
    fields[field || 'body'] ??= text;
  }
  return fields;
}
