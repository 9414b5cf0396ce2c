/**
 * Turns the host's PicApport-style keys into the plugin's configuration.
 *
 *   robot.root.N.path / .webdavmount / .webdavreadonly   a photo root, shared when it has a mount
 *   webdav.N.path / .webdavmount / .readonly             an extra share
 *   webdav.uploadallowed / webdav.deleteallowed           global switches
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
}

export interface WebdavSettings {
  readonly shares: readonly ShareSetting[];
  readonly uploadAllowed: boolean;
  readonly deleteAllowed: boolean;
  readonly auditEnabled: boolean;
  readonly auditDays: number;
  readonly lockTimeoutMaxSeconds: number;
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
  { prefix: 'robot.root', readonlyKey: 'webdavreadonly', mountRequired: false },
  { prefix: 'webdav', readonlyKey: 'readonly', mountRequired: true },
] as const;

export function parseSettings(all: Readonly<Record<string, string>>): ParsedSettings {
  const problems: SettingsProblem[] = [];
  const flag = (key: string, fallback: boolean): boolean => parseBoolean(all, key, fallback, problems);
  const number = (key: string, fallback: number, min: number, max: number): number =>
    parseInteger(all, key, fallback, min, max, problems);

  const candidates: ShareSetting[] = [];
  for (const family of SHARE_FAMILIES) {
    for (const index of indexesOf(all, family.prefix)) {
      const source = `${family.prefix}.${index}`;
      const share = readShare(all, source, family.readonlyKey, family.mountRequired, problems, flag);
      if (share) candidates.push(share);
    }
  }

  const shares = withoutDuplicates(candidates, problems).filter((share) => {
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
  readonlyKey: string,
  mountRequired: boolean,
  problems: SettingsProblem[],
  flag: (key: string, fallback: boolean) => boolean,
): ShareSetting | null {
  const mount = all[`${source}.webdavmount`]?.trim();
  const path = all[`${source}.path`]?.trim();
  if (!mount) {
    // A photo root without a mount name is simply not shared over WebDAV.
    if (mountRequired) {
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
  return { source, mount, path, readonly: flag(`${source}.${readonlyKey}`, false) };
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
