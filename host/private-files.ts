/**
 * Keys and certificates in the data folder: `<data>/tls/`, a folder only the
 * owner may enter, with files only the owner may read (0600), each written
 * whole (temporary file, fsync, rename) so that a crash never leaves half a
 * key behind.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const TLS_FOLDER = 'tls';

export async function tlsFolder(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, TLS_FOLDER);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone, and the umask may have widened a new one.
  await chmod(dir, 0o700);
  return dir;
}

export async function writePrivateFile(file: string, data: string | Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
}

/** The file's contents, or null when it does not exist. */
export async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
