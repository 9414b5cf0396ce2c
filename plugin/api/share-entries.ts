/**
 * The shares as the settings spell them, served or not: what the admin page
 * lists and edits. The served set (config/shares.ts) leaves out a share whose
 * folder is missing or whose name is taken; an admin must still see it, with
 * the reason, to fix it.
 */
import { isAbsolute } from 'node:path';
import { loadShares } from '../config/shares.js';
import { shareKeysOf, type SettingsProblem, type ShareFamilyName } from '../config/settings.js';

export type Family = ShareFamilyName;

export interface ShareEntry {
  /** `robot.root.0` or `webdav.3`. */
  readonly source: string;
  readonly family: Family;
  readonly mount: string | null;
  readonly folder: string | null;
  readonly readonly: boolean;
  /** The name of its read-only view by capture date, as written; null when it has none. */
  readonly dateMount: string | null;
  /** Its inbox folder below the share's root, as written; null when it has none. */
  readonly inbox: string | null;
}

export interface ConfiguredShares {
  /** Every `webdav.N` and every `robot.root.N` with a mount name, in settings order. */
  readonly shares: readonly ShareEntry[];
  /** Photo roots of the host that are not shared (no `robot.root.N.webdavmount`). */
  readonly unsharedRoots: readonly ShareEntry[];
}

export const MOUNT_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** A mount name no configured share has (for checks). */
function unusedMount(configured: ConfiguredShares): string {
  const taken = new Set(configured.shares.flatMap((e) => [e.mount?.toLowerCase(), e.dateMount?.toLowerCase()]));
  let n = 0;
  while (taken.has(`check-${n}`)) n += 1;
  return `check-${n}`;
}

export const isValidMount = (mount: string): boolean => MOUNT_PATTERN.test(mount) && mount !== '.' && mount !== '..';

const readonlyKeyOf = (family: Family): string => shareKeysOf(family).readonly;
const dateMountKeyOf = (family: Family): string => shareKeysOf(family).dateMount;
const inboxKeyOf = (family: Family): string => shareKeysOf(family).inbox;

function indexesOf(all: Readonly<Record<string, string>>, family: Family): number[] {
  const pattern = new RegExp(`^${family.replace('.', '\\.')}\\.(\\d+)\\.`);
  const found = new Set<number>();
  for (const key of Object.keys(all)) {
    const match = pattern.exec(key);
    if (match) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}

export function configuredShares(all: Readonly<Record<string, string>>): ConfiguredShares {
  const shares: ShareEntry[] = [];
  const unsharedRoots: ShareEntry[] = [];
  for (const family of ['robot.root', 'webdav'] as const) {
    for (const index of indexesOf(all, family)) {
      const source = `${family}.${index}`;
      const entry: ShareEntry = {
        source,
        family,
        mount: all[`${source}.webdavmount`]?.trim() || null,
        folder: all[`${source}.path`]?.trim() || null,
        readonly: all[`${source}.${readonlyKeyOf(family)}`]?.trim().toLowerCase() === 'true',
        dateMount: all[`${source}.${dateMountKeyOf(family)}`]?.trim() || null,
        inbox: all[`${source}.${inboxKeyOf(family)}`]?.trim() || null,
      };
      if (family === 'robot.root' && entry.mount === null) {
        if (entry.folder !== null) unsharedRoots.push(entry);
      } else {
        shares.push(entry);
      }
    }
  }
  return { shares, unsharedRoots };
}

/**
 * The entry an API path names: a mount name (exact, then ignoring case, as
 * mount names are unique regardless of case) or a settings prefix such as
 * `webdav.3` for a share without a usable name. A mount literally named
 * like a prefix wins over the prefix.
 */
export function findEntry(configured: ConfiguredShares, id: string): ShareEntry | undefined {
  const { shares, unsharedRoots } = configured;
  return (
    shares.find((e) => e.mount === id) ??
    shares.find((e) => e.mount !== null && e.mount.toLowerCase() === id.toLowerCase()) ??
    [...shares, ...unsharedRoots].find((e) => e.source === id)
  );
}

/** What to put in /admin/shares/:id for this entry so that findEntry finds it again. */
export function idOf(configured: ConfiguredShares, entry: ShareEntry): string {
  return entry.mount !== null && findEntry(configured, entry.mount) === entry ? entry.mount : entry.source;
}

export interface ShareFields {
  readonly mount: string;
  readonly folder: string;
  readonly readonly: boolean;
  /** The date view's name; '' or absent: no date view. */
  readonly dateMount?: string;
  /** The inbox folder below the share's root, e.g. `Inbox`; '' or absent: no inbox. */
  readonly inbox?: string;
}

/** An inbox folder as it is written: `/Inbox/` and `Inbox` are the same folder (config/settings.ts). */
const inboxSetting = (inbox: string | undefined): string => (inbox ?? '').trim().replace(/^\/+|\/+$/g, '');

/** The settings keys that make `entry` look like `fields` (a photo root's folder is never written). */
export function settingsChanges(
  entry: Pick<ShareEntry, 'source' | 'family'>,
  fields: ShareFields,
): Record<string, string | null> {
  const { source, family } = entry;
  return {
    ...(family === 'webdav' ? { [`${source}.path`]: fields.folder } : {}),
    [`${source}.webdavmount`]: fields.mount,
    [`${source}.${readonlyKeyOf(family)}`]: fields.readonly ? 'true' : null,
    [`${source}.${dateMountKeyOf(family)}`]: fields.dateMount?.trim() || null,
    [`${source}.${inboxKeyOf(family)}`]: inboxSetting(fields.inbox) || null,
  };
}

/** The keys that stop sharing: all of a `webdav.N`, only the WebDAV keys of a photo root. */
export function removalChanges(entry: ShareEntry, all: Readonly<Record<string, string>>): Record<string, null> {
  const keys =
    entry.family === 'webdav'
      ? Object.keys(all).filter((key) => key.startsWith(`${entry.source}.`))
      : ['webdavmount', readonlyKeyOf(entry.family), dateMountKeyOf(entry.family), inboxKeyOf(entry.family)].map(
          (key) => `${entry.source}.${key}`,
        );
  return Object.fromEntries(keys.map((key) => [key, null]));
}

/** The lowest N without any `webdav.N.*` key (filling gaps keeps the numbering plain). */
export function nextWebdavSource(all: Readonly<Record<string, string>>): string {
  const used = new Set(indexesOf(all, 'webdav'));
  let index = 0;
  while (used.has(index)) index += 1;
  return `webdav.${index}`;
}

/** The problems that concern one settings prefix. */
export function problemsOf(problems: readonly SettingsProblem[], source: string): SettingsProblem[] {
  return problems.filter((p) => p.key === source || p.key.startsWith(`${source}.`));
}

const FIELD_OF_KEY: Record<string, keyof ShareFields> = {
  path: 'folder',
  webdavmount: 'mount',
  readonly: 'readonly',
  webdavreadonly: 'readonly',
  datemount: 'dateMount',
  webdavdatemount: 'dateMount',
  inbox: 'inbox',
  webdavinbox: 'inbox',
};

/** Why `name` cannot be a mount name (a share's or a date view's), in plain words; undefined when it can. */
/** What a share's or a date view's name may be, as every form error says it. */
export const MOUNT_NAME_RULE = 'use 1 to 64 letters, digits, dots, dashes or underscores (no spaces, no slashes)';

export function mountNameError(name: string): string | undefined {
  if (name === '.' || name === '..') return 'may not be "." or ".."';
  if (!isValidMount(name)) return MOUNT_NAME_RULE;
  return undefined;
}

/** The checks that need nothing but the fields, to add to a schema error (so a form shows every wrong field at once). */
export function quickChecks(body: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!body || typeof body !== 'object') return errors;
  const { folder, dateMount } = body as { folder?: unknown; dateMount?: unknown };
  if (typeof folder === 'string' && folder.trim() !== '' && !isAbsolute(folder.trim())) {
    errors['folder'] = `give an absolute path (starting with /), not "${folder.trim()}"`;
  }
  const viewError = typeof dateMount === 'string' && dateMount.trim() !== '' && mountNameError(dateMount.trim());
  if (viewError) errors['dateMount'] = viewError;
  return errors;
}

const caseNote = (asked: string, found: string): string =>
  asked !== found ? ' (names are unique regardless of case)' : '';

/**
 * Why the share's name or its date view's name clashes with a name in use:
 * shares and date views share one namespace, /webdav/<name>/, compared
 * without case as Windows and macOS clients compare. Checked here rather than
 * left to the settings parser, which gives a name that is taken twice to the
 * first holder and reports the problem on the other share's key.
 */
function nameClashes(
  configured: ConfiguredShares,
  entry: Pick<ShareEntry, 'source'>,
  mount: string,
  dateMount: string,
): Record<string, string> {
  const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();
  const others = configured.shares.filter((other) => other.source !== entry.source);
  const usedBy = (name: string): string | undefined => {
    const share = others.find((other) => same(other.mount, name));
    const view = share ? undefined : others.find((other) => same(other.dateMount, name));
    if (share)
      return `the name "${name}" is already used by the share "${share.mount}" (${share.source})${caseNote(name, share.mount ?? '')}`;
    if (!view) return undefined;
    const owner = view.mount === null ? `(${view.source})` : `"${view.mount}" (${view.source})`;
    return `the name "${name}" is already used by the date view "${view.dateMount}" of the share ${owner}${caseNote(name, view.dateMount ?? '')}`;
  };
  const errors: Record<string, string> = {};
  const mountClash = usedBy(mount);
  if (mountClash) errors['mount'] = mountClash;
  if (dateMount === '') return errors;
  const viewClash = same(mount, dateMount)
    ? `is the share's own name; give the date view a name of its own, e.g. ${mount}-by-date`
    : usedBy(dateMount);
  if (viewClash) errors['dateMount'] = viewClash;
  return errors;
}

/**
 * The same checks as at start-up, for a share about to be written: the
 * settings as they would be are run through loadShares (schema, folder exists
 * and is a folder, names unique), and what it says about this share comes back
 * per field, in plain words.
 */
export async function checkShare(
  all: Readonly<Record<string, string>>,
  configured: ConfiguredShares,
  entry: Pick<ShareEntry, 'source' | 'family'>,
  fields: ShareFields,
): Promise<Record<string, string>> {
  const dateMount = fields.dateMount?.trim() ?? '';
  const errors = nameClashes(configured, entry, fields.mount, dateMount);
  const nameError = mountNameError(fields.mount);
  if (nameError) errors['mount'] ??= nameError;
  const viewError = dateMount === '' ? undefined : mountNameError(dateMount);
  if (viewError) errors['dateMount'] = viewError;
  if (!isAbsolute(fields.folder)) {
    errors['folder'] = `give an absolute path (starting with /), not "${fields.folder}"`;
    return errors;
  }

  // With a bad name the share would be left out before its folder is looked at:
  // check the folder under a name nobody uses, so that both errors show at once.
  const probe = errors['mount'] ? { ...fields, mount: unusedMount(configured) } : fields;
  const next: Record<string, string> = { ...all };
  for (const [key, value] of Object.entries(settingsChanges(entry, probe))) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  const snapshot = await loadShares(next);
  for (const problem of problemsOf(snapshot.problems, entry.source)) {
    if (problem.severity !== 'error') continue;
    const field = FIELD_OF_KEY[problem.key.slice(entry.source.length + 1)] ?? 'folder';
    if (probe !== fields && field === 'mount') continue;
    errors[field] ??= problem.message;
  }
  return errors;
}
