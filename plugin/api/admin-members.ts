/**
 * Who may use a share: the members of its group WebDAV.<mount>.
 *
 *   POST   admin/shares/:id/members/:user   adds the user to the share's group
 *   DELETE admin/shares/:id/members/:user   removes the user from it
 *   GET    admin/users                      user names to pick from
 */
import type { Context } from 'koa';
import type { HostUser } from '../host-api.js';
import { ensureShareGroup, entryOr404, type AdminContext } from './admin-context.js';
import { ApiError, sendJson } from './http.js';
import { configuredShares, isValidMount } from './share-entries.js';

/** The group of the share and the user that `:id` and `:user` name: 404 or 409 when either is missing. */
async function membershipOf(ctx: Context, admin: AdminContext): Promise<{ group: string; user: HostUser }> {
  const { host } = admin;
  const entry = entryOr404(configuredShares(host.settings.all()), ctx.params['id']!);
  if (entry.mount === null || !isValidMount(entry.mount)) {
    throw new ApiError(409, `share ${entry.source} has no valid name yet, so it has no group; give it a name first`);
  }
  const name = ctx.params['user']!;
  let user: HostUser | null = null;
  try {
    user = await host.users.find(name);
  } catch {
    // A name the host refuses (e.g. with a ':') is no user either.
  }
  if (!user) throw new ApiError(404, `there is no user "${name}"`, { user: `there is no user "${name}"` });
  return { group: await ensureShareGroup(host, entry.mount), user };
}

export async function addMember(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const { group, user } = await membershipOf(ctx, admin);
  await host.groups.addMember(group, user.name);
  host.log.info({ group, user: user.name }, `${user.name} added to ${group} from the admin page`);
  sendJson(ctx, 200, { group, members: await host.groups.members(group) });
}

export async function removeMember(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const { group, user } = await membershipOf(ctx, admin);
  await host.groups.removeMember(group, user.name);
  host.log.info({ group, user: user.name }, `${user.name} removed from ${group} from the admin page`);
  sendJson(ctx, 200, { group, members: await host.groups.members(group) });
}

export async function listUsers(ctx: Context, admin: AdminContext): Promise<void> {
  sendJson(ctx, 200, { users: await admin.host.users.list() });
}
