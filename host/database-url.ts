/**
 * Which database the host uses, and how to name it without its password.
 *
 * `--database`, then MEDIAHOST_DATABASE_URL, then `db.url` in
 * settings.properties; none of them: SQLite in the data folder. Only
 * PostgreSQL URLs are accepted, so a typo cannot silently mean "SQLite".
 */
export const DATABASE_ENV = 'MEDIAHOST_DATABASE_URL';
export const DATABASE_SETTING = 'db.url';

export interface DatabaseChoice {
  /** A postgres:// URL; undefined: SQLite in the data folder. */
  readonly url: string | undefined;
  /** Where the URL came from, for messages: "--database", the variable's name, "db.url", or "default". */
  readonly source: string;
}

export function chooseDatabase(options: {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  settings?: ReadonlyMap<string, string>;
}): DatabaseChoice {
  const candidates: Array<[string, string | undefined]> = [
    ['--database', options.flag],
    [DATABASE_ENV, options.env?.[DATABASE_ENV]],
    [DATABASE_SETTING, options.settings?.get(DATABASE_SETTING)],
  ];
  for (const [source, value] of candidates) {
    const url = value?.trim();
    if (!url) continue;
    checkDatabaseUrl(url, source);
    return { url, source };
  }
  return { url: undefined, source: 'default' };
}

function checkDatabaseUrl(url: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${source}: "${redactUrl(url)}" is not a URL (expected postgres://USER@HOST:PORT/DATABASE)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new Error(
      `${source}: only PostgreSQL is supported (postgres://USER@HOST:PORT/DATABASE), not ${parsed.protocol}`,
    );
  if (!parsed.hostname || parsed.pathname.length <= 1)
    throw new Error(
      `${source}: "${redactUrl(url)}" must name a host and a database (postgres://USER@HOST:PORT/DATABASE)`,
    );
}

/** The URL with its password replaced by "***" (also when it is not a valid URL). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/** `text` with the password of `url` (raw or percent-decoded) replaced by "***" wherever it appears. */
export function redactPassword(text: string, url: string | undefined): string {
  if (!url) return text;
  let out = text.split(url).join(redactUrl(url));
  const secret = passwordOf(url);
  if (secret) for (const form of new Set([secret, safeDecode(secret)])) out = out.split(form).join('***');
  return out;
}

function passwordOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(url);
  return match?.[1] || undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** "HOST:PORT" of a PostgreSQL URL, for "cannot reach" messages. */
export function databaseAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return redactUrl(url);
  }
}
