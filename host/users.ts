/**
 * HostUsers over the `users` table. No user is cached: the CLI changes users
 * in the same database while the server runs, and the next request must see
 * it. Only which passwords matched which stored hash is remembered
 * (verified-passwords.ts), so checking an unchanged password again costs no
 * bcrypt compare.
 */
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import type { HostUser, HostUsers } from '../plugin/host-api.js';
import { BcryptPool } from './bcrypt-pool.js';
import { toBool } from './db.js';
import { UserError } from './errors.js';
import { VerifiedPasswords } from './verified-passwords.js';
import { checkPassword, FieldError, normalizeUserName } from './user-rules.js';

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

/** A unique constraint refused a row: SQLite's SQLITE_CONSTRAINT (UNIQUE) or PostgreSQL's 23505. */
const isUniqueViolation = (err: unknown): boolean => {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(String(message)));
};

export const alreadyExists = (name: string): FieldError => new FieldError('name', `user "${name}" already exists`, 409);

/** The bcrypt hash of a password that passes the rules (a FieldError otherwise). */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return bcrypt.hash(password, BCRYPT_COST);
}

const toUser = (row: UserRow): HostUser => ({ name: row.name, admin: toBool(row.admin) });

/** One pool for the process: compares run in worker threads, never on the event loop. */
let pool: BcryptPool | undefined;
const verified = new VerifiedPasswords();

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
    if (row && verified.matched(row.password_hash, password)) return toUser(row);
    const ok = await (pool ??= new BcryptPool()).compare(password, row?.password_hash ?? DUMMY_HASH);
    if (!ok || !row) return null;
    verified.remember(row.password_hash, password);
    return toUser(row);
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
    if (await this.row(key)) throw alreadyExists(key);
    return this.insert(key, await hashPassword(password), options.admin === true);
  }

  /** Adds a user whose password hashPassword() hashed; the name must be normalised already. */
  async insert(name: string, passwordHash: string, admin: boolean): Promise<HostUser> {
    try {
      await this.db('users').insert({ name, password_hash: passwordHash, admin });
    } catch (err) {
      // Another process created the same name since we looked. Recognised by the error itself: inside a
      // transaction PostgreSQL refuses every further statement after a failed one, so asking again would fail.
      if (isUniqueViolation(err)) throw alreadyExists(name);
      throw err;
    }
    return { name, admin };
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    const id = await this.idOf(name);
    await this.setPasswordHash(id, await hashPassword(password));
  }

  /**
   * Stores a new hash and ends the user's web sessions, all but `keepSession`
   * (the token hash of the session that made the change); returns how many ended.
   */
  async setPasswordHash(id: number, passwordHash: string, keepSession?: string): Promise<number> {
    await this.db('users').where({ id }).update({ password_hash: passwordHash });
    // Logged-in browsers keep no access that the old password gave.
    const sessions = this.db('sessions').where({ user_id: id });
    return (keepSession === undefined ? sessions : sessions.whereNot({ token_hash: keepSession })).delete();
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
