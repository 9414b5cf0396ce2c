/**
 * Which names a resource may have. Request paths are checked against this
 * when they are decoded (dav/paths.ts), and listings leave out names on disk
 * that fail it: a client could never open, move or delete them.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** Why `name` cannot be a resource name, or null when it can. Length limits are the file system's business. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not allowed`;
  if (name.includes('/')) return 'contains "/" (an encoded slash)';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.includes('\u0000')) return 'contains NUL';
  if (CONTROL.test(name)) return 'contains a control character';
  return null;
}

/**
 * Whether `name` may be a resource name: non-empty, not `.` or `..`, and
 * free of `/`, `\`, NUL and the other C0 control characters (CR, LF, ...).
 */
export function isValidName(name: string): boolean {
  return nameProblem(name) === null;
}
