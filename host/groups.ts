/**
 * HostGroups over `groups` / `group_members`. No caching, for the same reason
 * as users: the CLI changes memberships while the server runs.
 */
import type { Knex } from 'knex';
import type { HostGroups } from '../plugin/host-api.js';
import { UserError } from './errors.js';
import { normalizeUserName } from './user-rules.js';
import { DbUsers } from './users.js';

export interface GroupInfo {
  readonly name: string;
  readonly description: string;
  readonly members: readonly string[];
}

export function checkGroupName(name: string): string {
  if (name.length === 0 || name.length > 200) throw new UserError('a group name has 1 to 200 characters');
  if (/\p{Cc}/u.test(name) || name !== name.trim())
    throw new UserError(`group name "${name}" has control characters or surrounding spaces`);
  return name;
}

export class DbGroups implements HostGroups {
  private readonly users: DbUsers;

  constructor(private readonly db: Knex) {
    this.users = new DbUsers(db);
  }

  async ensure(name: string, description: string): Promise<void> {
    await this.db('groups')
      .insert({ name: checkGroupName(name), description })
      .onConflict('name')
      .ignore();
  }

  async isMember(user: string, group: string): Promise<boolean> {
    let name: string;
    try {
      name = normalizeUserName(user);
    } catch {
      return false;
    }
    const row = await this.db('group_members as m')
      .join('groups as g', 'g.id', 'm.group_id')
      .join('users as u', 'u.id', 'm.user_id')
      .where('g.name', group)
      .andWhere('u.name', name)
      .first(this.db.raw('1 as found'));
    return row !== undefined;
  }

  async groupsOf(user: string): Promise<string[]> {
    let name: string;
    try {
      name = normalizeUserName(user);
    } catch {
      return [];
    }
    const rows = (await this.db('group_members as m')
      .join('groups as g', 'g.id', 'm.group_id')
      .join('users as u', 'u.id', 'm.user_id')
      .where('u.name', name)
      .orderBy('g.name')
      .select('g.name as name')) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  async members(group: string): Promise<string[]> {
    const rows = (await this.db('group_members as m')
      .join('groups as g', 'g.id', 'm.group_id')
      .join('users as u', 'u.id', 'm.user_id')
      .where('g.name', group)
      .orderBy('u.name')
      .select('u.name as name')) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  async addMember(group: string, user: string): Promise<void> {
    const groupId = await this.idOf(group);
    const userId = await this.users.idOf(user);
    await this.db('group_members')
      .insert({ group_id: groupId, user_id: userId })
      .onConflict(['group_id', 'user_id'])
      .ignore();
  }

  async removeMember(group: string, user: string): Promise<void> {
    const groupId = await this.idOf(group);
    const userId = await this.users.idOf(user);
    await this.db('group_members').where({ group_id: groupId, user_id: userId }).delete();
  }

  /** Every group with its members, sorted by name. */
  async list(): Promise<GroupInfo[]> {
    const groups = (await this.db('groups').select('id', 'name', 'description').orderBy('name')) as Array<{
      id: number;
      name: string;
      description: string;
    }>;
    const rows = (await this.db('group_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .orderBy('u.name')
      .select('m.group_id as groupId', 'u.name as name')) as Array<{ groupId: number; name: string }>;
    return groups.map((g) => ({
      name: g.name,
      description: g.description,
      members: rows.filter((r) => r.groupId === g.id).map((r) => r.name),
    }));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.db('groups').where({ name }).first('id')) !== undefined;
  }

  private async idOf(name: string): Promise<number> {
    const row = (await this.db('groups').where({ name }).first('id')) as { id: number } | undefined;
    if (row) return row.id;
    const known = ((await this.db('groups').select('name').orderBy('name')) as Array<{ name: string }>).map(
      (r) => r.name,
    );
    throw new UserError(
      `there is no group "${name}"${known.length ? ` (groups: ${known.join(', ')})` : ' (there are no groups yet)'}`,
      404,
    );
  }
}
