/**
 * Changes to users and their groups as an administrator makes them, from the
 * admin pages, the JSON API or the command line alike: the rules of
 * user-rules.ts, the refusals that keep an admin from locking themselves out
 * (no deleting their own account, no taking their own admin rights), and one
 * audit entry per change, written in the change's own transaction and, in
 * the server, to its log as well.
 */
import type { Knex } from 'knex';
import {
  describeChange,
  latestAudit,
  recordAudit,
  type AuditEntry,
  type NewAuditEntry,
  type Via,
} from './admin-audit.js';
import { toBool } from './db.js';
import { UserError } from './errors.js';
import { DbGroups } from './groups.js';
import type { HostLogger } from './log.js';
import { checkPassword, collect, FieldError, generatePassword, normalizeUserName, throwIfAny } from './user-rules.js';
import { alreadyExists, DbUsers, hashPassword } from './users.js';

export interface Actor {
  /** Who the audit log names: a host user, or on the command line the operating-system account. */
  readonly name: string;
  readonly via: Via;
  /** The host user making the change; none on the command line. */
  readonly user?: string;
  /** The token hash of the actor's web session: changing their own password leaves it logged in. */
  readonly session?: string;
}

export interface UserSummary {
  readonly name: string;
  readonly admin: boolean;
  readonly groups: readonly string[];
}

export interface GroupSummary {
  readonly name: string;
  readonly description: string;
}

export interface NewUser {
  readonly name: string;
  /** None: a password is generated, and returned this once. */
  readonly password?: string;
  readonly admin?: boolean;
  readonly groups?: readonly string[];
}

type Change = Omit<NewAuditEntry, 'actor' | 'via'>;

/** How often a transaction that SQLite refused as busy (another process wrote first) is tried again. */
const BUSY_ATTEMPTS = 5;

export const SELF_DELETE = 'you cannot delete your own account; another administrator can';

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

/** Names of the users and groups as stored, or null for a name no user can have. */
function keyOf(name: string): string | null {
  try {
    return normalizeUserName(name);
  } catch {
    return null;
  }
}

export class UserAdmin {
  constructor(
    private readonly db: Knex,
    private readonly log?: HostLogger,
  ) {}

  /** Every user with their groups, sorted by name. */
  async users(): Promise<UserSummary[]> {
    const users = (await this.db('users').select('name', 'admin').orderBy('name')) as Array<{
      name: string;
      admin: unknown;
    }>;
    const memberships = (await this.db('group_members as m')
      .join('groups as g', 'g.id', 'm.group_id')
      .join('users as u', 'u.id', 'm.user_id')
      .orderBy('g.name')
      .select('u.name as user', 'g.name as group')) as Array<{ user: string; group: string }>;
    const groupsOf = new Map<string, string[]>();
    for (const m of memberships) groupsOf.set(m.user, [...(groupsOf.get(m.user) ?? []), m.group]);
    return users.map((u) => ({ name: u.name, admin: toBool(u.admin), groups: groupsOf.get(u.name) ?? [] }));
  }

  /** One user with their groups, or null when there is none of that name. */
  async user(name: string): Promise<UserSummary | null> {
    const key = keyOf(name);
    const user = key === null ? null : await new DbUsers(this.db).find(key);
    return user && { ...user, groups: await new DbGroups(this.db).groupsOf(user.name) };
  }

  /** Every group a user can be put in, sorted by name. */
  async groups(): Promise<GroupSummary[]> {
    return (await this.db('groups').select('name', 'description').orderBy('name')) as GroupSummary[];
  }

  /** The newest audit entries, of every user or of one. */
  audit(options: { limit?: number; target?: string } = {}): Promise<AuditEntry[]> {
    return latestAudit(this.db, options);
  }

  /** Creates a user in the given groups; returns the password when it was generated. */
  async create(actor: Actor, input: NewUser): Promise<{ user: UserSummary; generatedPassword?: string }> {
    const errors: FieldError[] = [];
    const name = collect(errors, () => normalizeUserName(input.name));
    const typed = input.password;
    if (typed !== undefined) collect(errors, () => checkPassword(typed));
    const groups = sorted(input.groups ?? []);
    await this.checkGroups(groups, errors);
    if (name !== undefined && (await new DbUsers(this.db).find(name))) errors.push(alreadyExists(name));
    throwIfAny(errors);
    const password = typed ?? generatePassword();
    const hash = await hashPassword(password);
    const admin = input.admin === true;
    await this.change(actor, async (trx) => {
      await new DbUsers(trx).insert(name!, hash, admin);
      const memberships = new DbGroups(trx);
      for (const group of groups) await memberships.addMember(group, name!);
      return {
        action: 'user.create',
        target: name!,
        details: { admin, groups, ...(typed === undefined ? { generated: true } : {}) },
      };
    });
    return { user: { name: name!, admin, groups }, ...(typed === undefined ? { generatedPassword: password } : {}) };
  }

  /**
   * Sets a typed password, or generates one (returned this once), and ends
   * the user's web sessions, all but the actor's own.
   */
  async setPassword(
    actor: Actor,
    name: string,
    typed?: string,
  ): Promise<{ generatedPassword?: string; sessionsEnded: number }> {
    if (typed !== undefined) checkPassword(typed);
    await new DbUsers(this.db).idOf(name); // "no such user" before the cost of a hash
    const password = typed ?? generatePassword();
    const hash = await hashPassword(password);
    let sessionsEnded = 0;
    await this.change(actor, async (trx) => {
      const users = new DbUsers(trx);
      sessionsEnded = await users.setPasswordHash(await users.idOf(name), hash, actor.session);
      return {
        action: 'user.password',
        target: normalizeUserName(name),
        details: { sessionsEnded, ...(typed === undefined ? { generated: true } : {}) },
      };
    });
    return { sessionsEnded, ...(typed === undefined ? { generatedPassword: password } : {}) };
  }

  /** Deletes a user with their memberships and sessions; never the actor's own account. */
  async remove(actor: Actor, name: string): Promise<void> {
    if (actor.user !== undefined && keyOf(name) === actor.user) throw new UserError(SELF_DELETE, 409);
    await this.change(actor, async (trx) => {
      await new DbUsers(trx).remove(name);
      return { action: 'user.delete', target: normalizeUserName(name), details: {} };
    });
  }

  /** Makes the user's groups exactly `wanted`; returns what changed (nothing is recorded when nothing did). */
  async setGroups(
    actor: Actor,
    name: string,
    wanted: readonly string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    await new DbUsers(this.db).idOf(name);
    const groups = sorted(wanted);
    const errors: FieldError[] = [];
    await this.checkGroups(groups, errors);
    throwIfAny(errors);
    let result = { added: [] as string[], removed: [] as string[] };
    await this.change(actor, async (trx) => {
      await new DbUsers(trx).idOf(name);
      const user = normalizeUserName(name);
      const memberships = new DbGroups(trx);
      const current = await memberships.groupsOf(user);
      result = {
        added: groups.filter((g) => !current.includes(g)),
        removed: current.filter((g) => !groups.includes(g)),
      };
      for (const group of result.added) await memberships.addMember(group, user);
      for (const group of result.removed) await memberships.removeMember(group, user);
      if (result.added.length + result.removed.length === 0) return null;
      return { action: 'user.groups', target: user, details: result };
    });
    return result;
  }

  /** Adds the user to one group; false when they were a member already. */
  async addToGroup(actor: Actor, group: string, name: string): Promise<boolean> {
    const entry = await this.change(actor, async (trx) => {
      const memberships = new DbGroups(trx);
      const was = await memberships.isMember(name, group);
      await memberships.addMember(group, name); // "no such group/user" when that is the problem
      return was ? null : { action: 'user.groups', target: normalizeUserName(name), details: { added: [group] } };
    });
    return entry !== null;
  }

  /** Removes the user from one group; false when they were not a member. */
  async removeFromGroup(actor: Actor, group: string, name: string): Promise<boolean> {
    const entry = await this.change(actor, async (trx) => {
      const memberships = new DbGroups(trx);
      const was = await memberships.isMember(name, group);
      await memberships.removeMember(group, name);
      return was ? { action: 'user.groups', target: normalizeUserName(name), details: { removed: [group] } } : null;
    });
    return entry !== null;
  }

  /** Grants or takes administrator rights; nobody takes their own. Returns whether anything changed. */
  async setAdmin(actor: Actor, name: string, admin: boolean): Promise<boolean> {
    if (!admin && actor.user !== undefined && keyOf(name) === actor.user)
      throw new FieldError(
        'admin',
        'you cannot take away your own administrator rights; another administrator can',
        409,
      );
    const entry = await this.change(actor, async (trx) => {
      const id = await new DbUsers(trx).idOf(name);
      const row = (await trx('users').where({ id }).first('admin')) as { admin: unknown };
      if (toBool(row.admin) === admin) return null;
      await trx('users').where({ id }).update({ admin });
      return { action: 'user.admin', target: normalizeUserName(name), details: { admin } };
    });
    return entry !== null;
  }

  /** Adds a FieldError for the groups that do not exist. */
  private async checkGroups(groups: readonly string[], errors: FieldError[]): Promise<void> {
    if (groups.length === 0) return;
    const found = new Set(
      ((await this.db('groups').whereIn('name', groups).select('name')) as Array<{ name: string }>).map((r) => r.name),
    );
    const missing = groups.filter((g) => !found.has(g));
    if (missing.length === 0) return;
    const quoted = missing.map((g) => `"${g}"`).join(', ');
    const known = (await this.groups()).map((g) => g.name);
    errors.push(
      new FieldError(
        'groups',
        `there ${missing.length === 1 ? 'is no group' : 'are no groups'} ${quoted}${known.length ? ` (groups: ${known.join(', ')})` : ' (there are no groups yet)'}`,
      ),
    );
  }

  /** Runs one change and its audit entry in a transaction, then logs the entry; null when nothing changed. */
  private async change(
    actor: Actor,
    apply: (trx: Knex.Transaction) => Promise<Change | null>,
  ): Promise<AuditEntry | null> {
    const entry = await this.transaction(async (trx) => {
      const change = await apply(trx);
      return change && recordAudit(trx, { ...change, actor: actor.name, via: actor.via });
    });
    if (entry)
      this.log?.info(
        { audit: { actor: entry.actor, via: entry.via, action: entry.action, target: entry.target, ...entry.details } },
        `${entry.actor} ${describeChange(entry)}`,
      );
    return entry;
  }

  private async transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(fn);
      } catch (err) {
        // SQLite gives up at once, whatever the busy timeout, when a transaction that read first then wants to
        // write finds that another process (the CLI, or the server) wrote in between.
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= BUSY_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }
}
