/**
 * What the admin handlers share: the plugin's services, settings changes made
 * one at a time, the share an API path names, and the share's group.
 */
import type { Context } from 'koa';
import { dateViewGroupDescription, groupNameOf, shareGroupDescription } from '../config/shares.js';
import type { Host } from '../host-api.js';
import { ApiError } from './http.js';
import type { ApiServices } from './services.js';
import { findEntry, type ConfiguredShares, type ShareEntry } from './share-entries.js';

export interface AdminContext {
  readonly services: ApiServices;
  readonly host: Host;
  /** Runs `change` once the changes before it are done: two "add" calls must not pick the same webdav.N. */
  serially<T>(change: () => Promise<T>): Promise<T>;
}

/** An admin endpoint, called once the caller is known to be an admin (admin.ts checks). */
export type AdminHandler = (ctx: Context, admin: AdminContext) => Promise<void>;

export function adminContext(services: ApiServices): AdminContext {
  let changes: Promise<unknown> = Promise.resolve();
  return {
    services,
    host: services.host,
    serially<T>(change: () => Promise<T>): Promise<T> {
      const run = changes.then(change, change);
      changes = run.catch(() => undefined);
      return run;
    },
  };
}

/** Writes the settings and waits until the plugin serves what they say. */
export async function applySettings(admin: AdminContext, changes: Record<string, string | null>): Promise<void> {
  await admin.host.settings.update(changes);
  await admin.services.settled();
}

export function entryOr404(configured: ConfiguredShares, id: string): ShareEntry {
  const entry = findEntry(configured, id);
  if (!entry) throw new ApiError(404, `there is no share "${id}"`);
  return entry;
}

/** The group WebDAV.<dateMount> of a date view, created when missing; its name. */
export async function ensureViewGroup(host: Host, dateMount: string): Promise<string> {
  const group = groupNameOf(dateMount);
  await host.groups.ensure(group, dateViewGroupDescription(dateMount));
  return group;
}

/** The group WebDAV.<mount> of a share, created when missing; its name. */
export async function ensureShareGroup(host: Host, mount: string): Promise<string> {
  const group = groupNameOf(mount);
  await host.groups.ensure(group, shareGroupDescription(mount));
  return group;
}
