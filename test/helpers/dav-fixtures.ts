/**
 * Small things the protocol tests of the write methods all need: files on
 * disk, a dead property to follow around, and the failures a 207 names.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Harness } from './plugin-harness.js';

/** The URL path of a resource in a share. */
export const dav = (name: string, mount = 'main'): string => `/webdav/${mount}/${name}`;

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Builds folders and files under `root`: names ending in '/' are folders. */
export async function build(root: string, entries: readonly string[]): Promise<void> {
  for (const entry of entries) {
    if (entry.endsWith('/')) await mkdir(join(root, entry), { recursive: true });
    else await writeFile(join(root, entry), `content of ${entry}`);
  }
}

/** Every path under `folder`, folders with a trailing '/', sorted. */
export async function tree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const relative = join(entry.parentPath ?? entry.path, entry.name).slice(folder.length + 1);
      return entry.isDirectory() ? `${relative}/` : relative;
    })
    .sort();
}

/** Sets the test's dead property `{urn:test}note` on a resource. */
export async function setNote(h: Harness, path: string, value: string): Promise<void> {
  const res = await h.fetch(path, {
    method: 'PROPPATCH',
    headers: { 'Content-Type': 'application/xml' },
    body: `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><t:note xmlns:t="urn:test">${value}</t:note></D:prop></D:set></D:propertyupdate>`,
  });
  assert.equal(res.status, 207);
  await res.text();
}

/** The value of the test's dead property on a resource, or null when it has none. */
export async function note(h: Harness, path: string): Promise<string | null> {
  const res = await h.fetch(path, {
    method: 'PROPFIND',
    headers: { Depth: '0', 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><t:note xmlns:t="urn:test"/></D:prop></D:propfind>',
  });
  assert.equal(res.status, 207, `PROPFIND ${path}`);
  const body = await res.text();
  const found = /<D:propstat><D:prop>(.*?)<\/D:prop><D:status>HTTP\/1\.1 200/.exec(body);
  const value = found ? />([^<]+)</.exec(found[1]!) : null;
  return value ? value[1]! : null;
}

/** The (href, status) pairs of a multistatus body, sorted by href. */
export function responses(xml: string): { href: string; status: number }[] {
  return [...xml.matchAll(/<D:response><D:href>([^<]*)<\/D:href><D:status>HTTP\/1\.1 (\d+)/g)]
    .map((m) => ({ href: m[1]!, status: Number(m[2]) }))
    .sort((a, b) => a.href.localeCompare(b.href));
}
