/**
 * Who may use a share: the members of its group WebDAV.<mount>; and who may
 * use its date view: the members of WebDAV.<dateMount>, a group of its own
 * (a member of the view need not be one of the share, and the other way round).
 *
 *   POST   admin/shares/:id/members/:user        adds the user to the share's group
 *   DELETE admin/shares/:id/members/:user        removes the user from it
 *   POST   admin/shares/:id/view/members/:user   adds the user to the group of the share's date view
 *   DELETE admin/shares/:id/view/members/:user   removes the user from it
 *   GET    admin/users                           user names to pick from
 *
 * The view is named through its share (`:id` is the share's, as in every
 * other route) rather than by its own name, so that `:id` never means a share
 * in one route and a view in the next.
 */
import type { Context } from 'koa';
import type { HostUser } from '../host-api.js';
import { ensureShareGroup, ensureViewGroup, entryOr404, type AdminContext } from './admin-context.js';
import { ApiError, sendJson } from './http.js';
import { configuredShares, isValidMount } from './share-entries.js';

type Whose = 'share' | 'view';

/** The group (the share's, or its date view's) and the user that `:id` and `:user` name: 404 or 409 when either is missing. */
async function membershipOf(
  ctx: Context,
  admin: AdminContext,
  whose: Whose,
): Promise<{ group: string; user: HostUser }> {
  const { host } = admin;
  const entry = entryOr404(configuredShares(host.settings.all()), ctx.params['id']!);
  if (entry.mount === null || !isValidMount(entry.mount)) {
    throw new ApiError(409, `share ${entry.source} has no valid name yet, so it has no group; give it a name first`);
  }
  if (whose === 'view' && (entry.dateMount === null || !isValidMount(entry.dateMount))) {
    throw new ApiError(
      409,
      `share ${entry.mount} has no date view, so it has no view group; give it a date view name first`,
    );
  }
  const name = ctx.params['user']!;
  let user: HostUser | null = null;
  try {
    user = await host.users.find(name);
  } catch {
    // A name the host refuses (e.g. with a ':') is no user either.
  }
  if (!user) throw new ApiError(404, `there is no user "${name}"`, { user: `there is no user "${name}"` });
  const group =
    whose === 'view' ? await ensureViewGroup(host, entry.dateMount!) : await ensureShareGroup(host, entry.mount);
  return { group, user };
}

export const addMember = (ctx: Context, admin: AdminContext) => changeMembers(ctx, admin, 'share', 'add');
export const removeMember = (ctx: Context, admin: AdminContext) => changeMembers(ctx, admin, 'share', 'remove');
export const addViewMember = (ctx: Context, admin: AdminContext) => changeMembers(ctx, admin, 'view', 'add');
export const removeViewMember = (ctx: Context, admin: AdminContext) => changeMembers(ctx, admin, 'view', 'remove');

async function changeMembers(ctx: Context, admin: AdminContext, whose: Whose, change: 'add' | 'remove'): Promise<void> {
  const { host } = admin;
  const { group, user } = await membershipOf(ctx, admin, whose);
  if (change === 'add') {
    await host.groups.addMember(group, user.name);
    host.log.info({ group, user: user.name }, `${user.name} added to ${group} from the admin page`);
  } else {
    await host.groups.removeMember(group, user.name);
    host.log.info({ group, user: user.name }, `${user.name} removed from ${group} from the admin page`);
  }
  sendJson(ctx, 200, { group, members: await host.groups.members(group) });
}

export async function listUsers(ctx: Context, admin: AdminContext): Promise<void> {
  sendJson(ctx, 200, { users: await admin.host.users.list() });
}
