/**
 * What makes a user name and a password acceptable, in one place for the CLI,
 * the admin pages and the JSON API, so that the three cannot drift apart.
 * Pure functions: no database, no hashing.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from './errors.js';

/** The form field a rule belongs to, so a page can show the message next to it. */
export type Field = 'name' | 'password' | 'groups' | 'admin';

/** A UserError about one field of what the user typed. */
export class FieldError extends UserError {
  constructor(
    readonly field: Field,
    message: string,
    status = 400,
  ) {
    super(message, status);
    this.name = 'FieldError';
  }
}

/** Several FieldErrors at once, so that a form can show every problem in one answer. */
export class FieldErrors extends UserError {
  constructor(readonly errors: readonly FieldError[]) {
    const [first] = errors;
    super(
      errors.map((e) => e.message).join('; '),
      errors.every((e) => e.status === first!.status) ? first!.status : 400,
    );
    this.name = 'FieldErrors';
  }
}

/** The FieldErrors of an error (none when it is another kind of error). */
export const fieldErrorsOf = (err: unknown): readonly FieldError[] =>
  err instanceof FieldErrors ? err.errors : err instanceof FieldError ? [err] : [];

/** Runs a check, adding its FieldError to `errors` instead of throwing it. */
export function collect<T>(errors: FieldError[], check: () => T): T | undefined {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    errors.push(err);
    return undefined;
  }
}

/** Throws what `collect` gathered: the one error itself, or all of them together. */
export function throwIfAny(errors: readonly FieldError[]): void {
  const [only] = errors;
  if (errors.length === 1 && only) throw only;
  if (errors.length > 1) throw new FieldErrors(errors);
}

export const NAME_MAX = 100;
/** bcrypt ignores everything after 72 bytes; a longer password would be weaker than it looks. */
export const PASSWORD_MAX_BYTES = 72;

/** The rules in words, for hints beside the form fields. */
export const NAME_HINT = `1 to ${NAME_MAX} characters, no ':' (WebDAV clients could not log in), no surrounding spaces`;
export const PASSWORD_HINT = `not empty, at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`;

/**
 * User names are compared in Unicode NFC (macOS sends decomposed characters,
 * Windows composed ones) and may not contain ':' (HTTP Basic splits there).
 */
export function normalizeUserName(name: string): string {
  const n = name.normalize('NFC');
  if (n.length === 0 || n.length > NAME_MAX)
    throw new FieldError('name', `a user name has 1 to ${NAME_MAX} characters`);
  if (n !== n.trim()) throw new FieldError('name', `user name "${n}" may not start or end with spaces`);
  if (n.includes(':'))
    throw new FieldError('name', `user name "${n}" may not contain ':' (WebDAV clients could not log in)`);
  if (/\p{Cc}/u.test(n)) throw new FieldError('name', 'a user name may not contain control characters');
  return n;
}

export function checkPassword(password: string): void {
  if (password.length === 0) throw new FieldError('password', 'the password may not be empty');
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES)
    throw new FieldError('password', `the password is longer than ${PASSWORD_MAX_BYTES} bytes (UTF-8)`);
}

/** A password for someone to copy once: 24 characters of [A-Za-z0-9_-], 144 random bits. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');
