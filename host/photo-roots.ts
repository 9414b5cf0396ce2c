/**
 * The photo roots of the settings (`robot.root.N.path`), with a file count
 * for the home page. Counting stops at a cap: a root of a million photos
 * must not make the home page slow.
 */
import { opendir } from 'node:fs/promises';
import path from 'node:path';
import type { HostSettings } from '../plugin/host-api.js';

const COUNT_CAP = 10_000;

export interface PhotoRoot {
  readonly key: string;
  readonly path: string;
  readonly mount?: string;
  readonly files: number;
  /** True when counting stopped at the cap. */
  readonly more: boolean;
  readonly error?: string;
}

async function countFiles(dir: string, budget: { left: number }): Promise<void> {
  const handle = await opendir(dir);
  for await (const entry of handle) {
    if (budget.left <= 0) break;
    if (entry.isFile()) budget.left--;
    else if (entry.isDirectory()) await countFiles(path.join(dir, entry.name), budget).catch(() => undefined);
  }
}

export async function photoRoots(settings: HostSettings): Promise<PhotoRoot[]> {
  const keys = Object.keys(settings.all())
    .map((k) => /^robot\.root\.(\d+)\.path$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  return Promise.all(
    keys.map(async ([key, n]): Promise<PhotoRoot> => {
      const root = settings.get(key)!;
      const mount = settings.get(`robot.root.${n}.webdavmount`);
      const budget = { left: COUNT_CAP };
      try {
        await countFiles(root, budget);
        return { key, path: root, mount, files: COUNT_CAP - budget.left, more: budget.left <= 0 };
      } catch (err) {
        return {
          key,
          path: root,
          mount,
          files: 0,
          more: false,
          error: (err as NodeJS.ErrnoException).code ?? 'unreadable',
        };
      }
    }),
  );
}
