/**
 * HostUsers over the `users` table. Nothing is cached: the CLI changes users
 * in the same database while the server runs, and the next request must see it.
 */
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import type { HostUser, HostUsers } from '../plugin/host-api.js';
import { BcryptPool } from './bcrypt-pool.js';
import { toBool } from './db.js';
import { UserError } from './errors.js';

const BCRYPT_COST = 10;
// Compared against when the user does not exist, so that a wrong name costs as long as a wrong password.
// (A constant: hashing at load time would slow down every CLI command.)
const DUMMY_HASH = '$2b$10$hRi5rUHvDJmRaSeVY/Oase2Ivs5w..fpaq5o30sqbQVYDY/j2J1qe';

interface UserRow {
  id: number;
  name: string;
  password_hash: string;
  admin: unknown;
}

/**
 * User names are compared in Unicode NFC (macOS sends decomposed characters,
 * Windows composed ones) and may not contain ':' (HTTP Basic splits there).
 */
export function normalizeUserName(name: string): string {
  const n = name.normalize('NFC');
  if (n.length === 0 || n.length > 100) throw new UserError('a user name has 1 to 100 characters');
  if (n !== n.trim()) throw new UserError(`user name "${n}" may not start or end with spaces`);
  if (n.includes(':')) throw new UserError(`user name "${n}" may not contain ':' (WebDAV clients could not log in)`);
  if (/\p{Cc}/u.test(n)) throw new UserError('a user name may not contain control characters');
  return n;
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new UserError('the password may not be empty');
  // bcrypt ignores everything after 72 bytes; a longer password would be weaker than it looks.
  if (bcrypt.truncates(password)) throw new UserError('the password is longer than 72 bytes (UTF-8)');
}

const toUser = (row: UserRow): HostUser => ({ name: row.name, admin: toBool(row.admin) });

/** One pool for the process: compares run in worker threads, never on the event loop. */
let pool: BcryptPool | undefined;

/** The stored form of a name, or null for a name no user can have. */
function keyOf(name: string): string | null {
  try {
    return normalizeUserName(name);
  } catch {
    return null;
  }
}

export class DbUsers implements HostUsers {
  constructor(private readonly db: Knex) {}

  async verify(name: string, password: string): Promise<HostUser | null> {
    const key = keyOf(name);
    if (key === null) return null;
    const row = await this.row(key);
    if (bcrypt.truncates(password)) return null; // no stored password is that long
    const ok = await (pool ??= new BcryptPool()).compare(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row ? toUser(row) : null;
  }

  async find(name: string): Promise<HostUser | null> {
    const key = keyOf(name);
    if (key === null) return null;
    const row = await this.row(key);
    return row ? toUser(row) : null;
  }

  async list(): Promise<string[]> {
    const rows = (await this.db('users').select('name').orderBy('name')) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  async listDetailed(): Promise<HostUser[]> {
    const rows = (await this.db('users').select('id', 'name', 'password_hash', 'admin').orderBy('name')) as UserRow[];
    return rows.map(toUser);
  }

  async add(name: string, password: string, options: { admin?: boolean } = {}): Promise<HostUser> {
    const key = normalizeUserName(name);
    checkPassword(password);
    if (await this.row(key)) throw new UserError(`user "${key}" already exists`);
    const hash = await bcrypt.hash(password, BCRYPT_COST);
    await this.db('users').insert({ name: key, password_hash: hash, admin: options.admin === true });
    return { name: key, admin: options.admin === true };
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    const id = await this.idOf(name);
    const hash = await bcrypt.hash(password, BCRYPT_COST);
    await this.db('users').where({ id }).update({ password_hash: hash });
    // Logged-in browsers keep no access that the old password gave.
    await this.db('sessions').where({ user_id: id }).delete();
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    const id = await this.idOf(name);
    await this.db('users').where({ id }).update({ admin });
  }

  async remove(name: string): Promise<void> {
    const id = await this.idOf(name);
    await this.db('users').where({ id }).delete();
  }

  /** The user's row id; a UserError when there is no such user. */
  async idOf(name: string): Promise<number> {
    const row = await this.row(normalizeUserName(name));
    if (!row) throw new UserError(`there is no user "${name.normalize('NFC')}"`, 404);
    return row.id;
  }

  private async row(name: string): Promise<UserRow | undefined> {
    return (await this.db('users').where({ name }).first('id', 'name', 'password_hash', 'admin')) as
      UserRow | undefined;
  }
}
