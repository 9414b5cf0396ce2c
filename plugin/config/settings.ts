/**
 * Turns the host's PicApport-style keys into the plugin's configuration.
 *
 *   robot.root.N.path / .webdavmount / .webdavreadonly   a photo root, shared when it has a mount
 *   robot.root.N.webdavdatemount / .webdavinbox          its view by capture date, its inbox
 *   webdav.N.path / .webdavmount / .readonly             an extra share
 *   webdav.N.datemount / .inbox                          its view by capture date, its inbox
 *   webdav.uploadallowed / webdav.deleteallowed           global switches
 *   webdav.inbox.settle, webdav.inbox.zip.*, webdav.media.scanminutes
 *
 * A bad key is a problem naming that key; it takes down only the share it
 * belongs to. The parsed result is validated against
 * schemas/settings.schema.json, one share at a time, so that a schema error
 * still names the share's keys.
 */
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';

export interface ShareSetting {
  /** `robot.root.0` or `webdav.3`: where the share's keys live. */
  readonly source: string;
  readonly mount: string;
  readonly path: string;
  readonly readonly: boolean;
  /** The mount name of the share's read-only view by capture date (docs/photo-shares.md). */
  readonly dateMount?: string;
  /** The inbox folder, as names below the share's root (docs/inbox.md). */
  readonly inbox?: readonly string[];
}

/** What a ZIP dropped into an inbox may hold before it is refused (docs/inbox.md). */
export interface ZipLimitSettings {
  readonly maxTotalBytes: number;
  readonly maxRatio: number;
  readonly maxEntries: number;
}

export interface WebdavSettings {
  readonly shares: readonly ShareSetting[];
  readonly uploadAllowed: boolean;
  readonly deleteAllowed: boolean;
  readonly auditEnabled: boolean;
  readonly auditDays: number;
  readonly lockTimeoutMaxSeconds: number;
  /** How long a file must sit unwritten and unlocked in an inbox before it is filed. */
  readonly inboxSettleSeconds: number;
  readonly zipLimits: ZipLimitSettings;
  /** How often the capture-date index looks for changes made outside WebDAV. */
  readonly mediaScanMinutes: number;
  readonly baseUrl?: string;
}

export interface SettingsProblem {
  /** The settings key at fault (or the share's key prefix). */
  readonly key: string;
  readonly message: string;
  /** The mount name the problem concerns, when known. */
  readonly mount?: string;
  /**
   * error: the share (or switch) is not used as written; warning: it is
   * used, but something about it will surprise (two shares on one folder);
   * notice: for information.
   */
  readonly severity: 'error' | 'warning' | 'notice';
}

export interface ParsedSettings {
  readonly settings: WebdavSettings;
  readonly problems: readonly SettingsProblem[];
}

const schema = JSON.parse(readFileSync(new URL('../../../schemas/settings.schema.json', import.meta.url), 'utf8')) as {
  definitions: { share: object };
};
const Ajv = AjvModule.default ?? AjvModule;
const ajv = new Ajv({ allErrors: true });
const validateWhole = ajv.compile(schema);
const validateShare = ajv.compile({ ...schema.definitions.share, $id: 'share' });

const SHARE_FAMILIES = [
  {
    prefix: 'robot.root',
    readonlyKey: 'webdavreadonly',
    dateMountKey: 'webdavdatemount',
    inboxKey: 'webdavinbox',
    mountRequired: false,
  },
  { prefix: 'webdav', readonlyKey: 'readonly', dateMountKey: 'datemount', inboxKey: 'inbox', mountRequired: true },
] as const;

type ShareFamily = (typeof SHARE_FAMILIES)[number];

/** `robot.root` (the host's photo roots) or `webdav` (extra shares): the two families of share keys. */
export type ShareFamilyName = ShareFamily['prefix'];

/** The last part of a share's keys that differ between the families (`webdavreadonly` or `readonly`, …). */
export function shareKeysOf(family: ShareFamilyName): { readonly: string; dateMount: string; inbox: string } {
  const found = SHARE_FAMILIES.find((f) => f.prefix === family) ?? SHARE_FAMILIES[1];
  return { readonly: found.readonlyKey, dateMount: found.dateMountKey, inbox: found.inboxKey };
}

/** The full key of a share's setting: `robot.root.0.webdavinbox`, `webdav.3.inbox`. */
export function shareKey(source: string, field: 'readonly' | 'dateMount' | 'inbox'): string {
  const family: ShareFamilyName = source.startsWith('robot.root.') ? 'robot.root' : 'webdav';
  return `${source}.${shareKeysOf(family)[field]}`;
}

const GIB = 1024 ** 3;

export function parseSettings(all: Readonly<Record<string, string>>): ParsedSettings {
  const problems: SettingsProblem[] = [];
  const flag = (key: string, fallback: boolean): boolean => parseBoolean(all, key, fallback, problems);
  const number = (key: string, fallback: number, min: number, max: number): number =>
    parseInteger(all, key, fallback, min, max, problems);

  const candidates: ShareSetting[] = [];
  for (const family of SHARE_FAMILIES) {
    for (const index of indexesOf(all, family.prefix)) {
      const source = `${family.prefix}.${index}`;
      const share = readShare(all, source, family, problems, flag);
      if (share) candidates.push(share);
    }
  }

  const shares = withDateMountsChecked(withoutDuplicates(candidates, problems), problems).filter((share) => {
    if (validateShare(share) as boolean) return true;
    for (const error of validateShare.errors ?? []) {
      const field = error.instancePath.slice(1) || 'share';
      problems.push({
        key: `${share.source}.${field === 'mount' ? 'webdavmount' : field}`,
        mount: share.mount,
        message: `invalid ${field}: ${error.message ?? 'does not match the schema'}`,
        severity: 'error',
      });
    }
    return false;
  });

  const baseUrl = all['webdav.baseurl']?.trim() || undefined;
  const settings: WebdavSettings = {
    shares,
    uploadAllowed: flag('webdav.uploadallowed', true),
    deleteAllowed: flag('webdav.deleteallowed', true),
    auditEnabled: flag('user.log.webdav', false),
    auditDays: number('webdav.audit.days', 90, 1, 36500),
    lockTimeoutMaxSeconds: number('webdav.lock.maxtimeout', 3600, 1, 604800),
    inboxSettleSeconds: number('webdav.inbox.settle', 30, 1, 86400),
    zipLimits: {
      maxTotalBytes: number('webdav.inbox.zip.maxbytes', 4 * GIB, 1, 1024 * GIB),
      maxRatio: number('webdav.inbox.zip.maxratio', 100, 1, 100000),
      maxEntries: number('webdav.inbox.zip.maxentries', 10000, 1, 1000000),
    },
    mediaScanMinutes: number('webdav.media.scanminutes', 5, 1, 1440),
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
  };
  if (!(validateWhole(settings) as boolean)) {
    // Only baseUrl can fail here: every other field was checked as it was read.
    problems.push({ key: 'webdav.baseurl', message: 'must be an http:// or https:// URL', severity: 'error' });
    const { baseUrl: _dropped, ...rest } = settings;
    return { settings: rest, problems };
  }
  return { settings, problems };
}

function readShare(
  all: Readonly<Record<string, string>>,
  source: string,
  family: ShareFamily,
  problems: SettingsProblem[],
  flag: (key: string, fallback: boolean) => boolean,
): ShareSetting | null {
  const mount = all[`${source}.webdavmount`]?.trim();
  const path = all[`${source}.path`]?.trim();
  if (!mount) {
    // A photo root without a mount name is simply not shared over WebDAV.
    if (family.mountRequired) {
      problems.push({
        key: `${source}.webdavmount`,
        message: 'missing: every webdav.N share needs a mount name',
        severity: 'error',
      });
    }
    return null;
  }
  if (!path) {
    problems.push({
      key: `${source}.path`,
      mount,
      message: `missing: share "${mount}" has no folder`,
      severity: 'error',
    });
    return null;
  }
  const dateMount = all[`${source}.${family.dateMountKey}`]?.trim();
  const inboxKey = `${source}.${family.inboxKey}`;
  const inbox = inboxNames(all[inboxKey], inboxKey, mount, problems);
  return {
    source,
    mount,
    path,
    readonly: flag(`${source}.${family.readonlyKey}`, false),
    ...(dateMount ? { dateMount } : {}),
    ...(inbox ? { inbox } : {}),
  };
}

/**
 * An inbox folder as names below the share's root: `Inbox`, `Upload/Phone`.
 * Leading and trailing slashes are forgiven; `.`, `..`, backslashes and
 * control characters are refused, so an inbox never lies outside its share.
 */
function inboxNames(
  raw: string | undefined,
  key: string,
  mount: string,
  problems: SettingsProblem[],
): readonly string[] | undefined {
  const trimmed = raw?.trim().replace(/^\/+|\/+$/g, '');
  if (!trimmed) return undefined;
  const names = trimmed.split(/\/+/);
  // eslint-disable-next-line no-control-regex
  const bad = names.find((name) => name === '.' || name === '..' || /[\\\u0000-\u001f]/.test(name));
  if (bad === undefined) return names;
  problems.push({
    key,
    mount,
    message: `must be a folder inside the share, such as "Inbox"; "${bad}" is not allowed in "${raw ?? ''}"`,
    severity: 'error',
  });
  return undefined;
}

function withoutDuplicates(shares: ShareSetting[], problems: SettingsProblem[]): ShareSetting[] {
  const seen = new Map<string, ShareSetting>();
  const result: ShareSetting[] = [];
  for (const share of shares) {
    const first = seen.get(share.mount.toLowerCase());
    if (first) {
      problems.push({
        key: `${share.source}.webdavmount`,
        mount: share.mount,
        message: `duplicate mount name "${share.mount}" (already used by ${first.source})`,
        severity: 'error',
      });
      continue;
    }
    seen.set(share.mount.toLowerCase(), share);
    result.push(share);
  }
  return result;
}

/**
 * A date view's mount name follows the rules of every mount name and may
 * not be taken by any share or other view (case-insensitively, as clients
 * on Windows and macOS compare). A bad one costs only the view: the share
 * is served without it.
 */
function withDateMountsChecked(shares: ShareSetting[], problems: SettingsProblem[]): ShareSetting[] {
  const taken = new Map(shares.map((share) => [share.mount.toLowerCase(), `the share of ${share.source}`]));
  return shares.map((share) => {
    const { dateMount, ...withoutView } = share;
    if (dateMount === undefined) return share;
    const key = shareKey(share.source, 'dateMount');
    const report = (message: string) => problems.push({ key, mount: share.mount, message, severity: 'error' });
    if (!(validateShare({ ...withoutView, mount: dateMount }) as boolean)) {
      report(`invalid date view name "${dateMount}": use letters, digits, ".", "_" or "-" (at most 64)`);
      return withoutView;
    }
    const holder = taken.get(dateMount.toLowerCase());
    if (holder !== undefined) {
      report(`the date view name "${dateMount}" is already used by ${holder}`);
      return withoutView;
    }
    taken.set(dateMount.toLowerCase(), `the date view of ${share.source}`);
    return share;
  });
}

/**
 * The N of every `<prefix>.N.*` key, ascending. Gaps are normal (a share
 * deleted from the admin page leaves one) and are not reported: renumbering
 * would rewrite the keys of shares nobody touched, and robot.root.N is the
 * host's numbering, which the plugin must not change.
 */
function indexesOf(all: Readonly<Record<string, string>>, prefix: string): number[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
  const indexes = new Set<number>();
  for (const key of Object.keys(all)) {
    const match = pattern.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

function parseBoolean(
  all: Readonly<Record<string, string>>,
  key: string,
  fallback: boolean,
  problems: SettingsProblem[],
): boolean {
  const raw = all[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push({ key, message: `must be true or false, not "${all[key]}" (using ${fallback})`, severity: 'error' });
  return fallback;
}

function parseInteger(
  all: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: SettingsProblem[],
): number {
  const raw = all[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push({
    key,
    message: `must be a whole number from ${min} to ${max}, not "${raw}" (using ${fallback})`,
    severity: 'error',
  });
  return fallback;
}
