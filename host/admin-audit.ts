/**
 * The host's audit log of administration: every change to a user or their
 * groups, from the admin pages, the JSON API or the command line, with who
 * made it, when, and to whom. Never a password.
 *
 * An entry is written in the same transaction as the change it describes, so
 * neither exists without the other. Entries name users rather than pointing
 * at their rows: an entry outlives the user it is about. Changes to users are
 * rare, so nothing is ever pruned.
 */
import type { Knex } from 'knex';

export const AUDIT_TABLE = 'host_audit';

/** Where a change was made. */
export type Via = 'web' | 'api' | 'cli';

export type AuditAction = 'user.create' | 'user.password' | 'user.delete' | 'user.groups' | 'user.admin';

export interface AuditDetails {
  /** user.create and user.admin: whether the user is (now) an administrator. */
  readonly admin?: boolean;
  /** user.create: the groups the user was created in. */
  readonly groups?: readonly string[];
  /** user.groups: what changed. */
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  /** user.create and user.password: the password was generated (and shown once) rather than typed. */
  readonly generated?: boolean;
  /** user.password: how many of the user's web sessions the change ended. */
  readonly sessionsEnded?: number;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  /** The host user who made the change; on the command line, the operating-system account. */
  readonly actor: string;
  readonly via: Via;
  readonly action: AuditAction;
  /** The user the change was made to. */
  readonly target: string;
  readonly details: AuditDetails;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

interface AuditRow {
  id: number;
  at: number | string;
  actor: string;
  via: string;
  action: string;
  target: string;
  details: string;
}

function parseDetails(text: string): AuditDetails {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as AuditDetails) : {};
  } catch {
    return {};
  }
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: new Date(Number(row.at)),
  actor: row.actor,
  via: row.via as Via,
  action: row.action as AuditAction,
  target: row.target,
  details: parseDetails(row.details),
});

/** Writes one entry; `db` is the transaction of the change it records. */
export async function recordAudit(db: Knex, entry: NewAuditEntry): Promise<AuditEntry> {
  const at = new Date();
  const [row] = (await db(AUDIT_TABLE)
    .insert({
      at: at.getTime(),
      actor: entry.actor,
      via: entry.via,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details),
    })
    .returning('id')) as Array<{ id: number } | number>;
  const id = typeof row === 'object' ? row.id : Number(row);
  return { ...entry, id, at };
}

/** The newest entries first, all of them or those about one user. */
export async function latestAudit(db: Knex, options: { limit?: number; target?: string } = {}): Promise<AuditEntry[]> {
  const all = db(AUDIT_TABLE)
    .select('id', 'at', 'actor', 'via', 'action', 'target', 'details')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 20, 1), 500));
  const query = options.target === undefined ? all : all.where({ target: options.target });
  return ((await query) as AuditRow[]).map(toEntry);
}

const list = (names: readonly string[] | undefined): string => (names ?? []).join(', ');

/** What happened, in words, without the actor: "created anna, an administrator, in WebDAV.main". */
export function describeChange(entry: Pick<AuditEntry, 'action' | 'target' | 'details'>): string {
  const { target, details: d } = entry;
  switch (entry.action) {
    case 'user.create':
      return [
        `created ${target}`,
        d.admin ? 'an administrator' : '',
        d.groups?.length ? `in ${list(d.groups)}` : '',
        d.generated ? 'with a generated password' : '',
      ]
        .filter(Boolean)
        .join(', ');
    case 'user.password': {
      const what = d.generated ? `reset the password of ${target} (generated)` : `set a new password for ${target}`;
      const ended = d.sessionsEnded ?? 0;
      return ended > 0 ? `${what}; ${ended} web session${ended === 1 ? '' : 's'} ended` : what;
    }
    case 'user.delete':
      return `deleted ${target}`;
    case 'user.groups':
      return [
        `changed the groups of ${target}:`,
        d.added?.length ? `added to ${list(d.added)}` : '',
        d.added?.length && d.removed?.length ? ';' : '',
        d.removed?.length ? `removed from ${list(d.removed)}` : '',
      ]
        .filter(Boolean)
        .join(' ')
        .replace(' ;', ';');
    case 'user.admin':
      return d.admin ? `made ${target} an administrator` : `took the administrator rights of ${target}`;
    default:
      return `${String(entry.action)} ${target}`;
  }
}

export const VIA_TEXT: Record<Via, string> = { web: 'admin pages', api: 'JSON API', cli: 'command line' };
