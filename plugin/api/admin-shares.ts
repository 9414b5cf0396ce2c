/**
 * The shares on the admin page:
 *
 *   GET    admin/shares       every configured share, served or not, with its problems
 *   POST   admin/shares       {mount, folder, readonly?, dateMount?, inbox?} → a new webdav.N share
 *   PUT    admin/shares/:id   {mount?, folder?, readonly?, dateMount?, inbox?} (a photo root: all but folder)
 *   DELETE admin/shares/:id   stops sharing (webdav.N: all its keys; photo root: its WebDAV keys)
 *   POST   admin/shares/:id/scan   scans the share for its capture-date index now; the share as it is then
 *
 * An empty dateMount or inbox removes the date view or the inbox.
 * Bodies are checked against schemas/admin-share-*.json, then by the same
 * checks as at start-up. Answers come once the new shares are in place.
 */
import type { Context } from 'koa';
import { groupNameOf } from '../config/shares.js';
import { applySettings, ensureShareGroup, ensureViewGroup, entryOr404, type AdminContext } from './admin-context.js';
import { describeSource, shareListing } from './admin-share-view.js';
import { ApiError, fieldErrors, readJson, schemaValidator, sendJson } from './http.js';
import {
  checkShare,
  configuredShares,
  isValidMount,
  nextWebdavSource,
  quickChecks,
  removalChanges,
  settingsChanges,
  type ConfiguredShares,
  type ShareEntry,
  type ShareFields,
} from './share-entries.js';

interface CreateBody {
  mount: string;
  folder: string;
  readonly?: boolean;
  dateMount?: string;
  inbox?: string;
}
type UpdateBody = Partial<CreateBody>;

/** Schema first; a schema error also carries the other fields' simple errors, so a form can show them all. */
const withQuickChecks =
  <T>(validate: (value: unknown) => T) =>
  (body: unknown): T => {
    try {
      return validate(body);
    } catch (error) {
      if (!(error instanceof ApiError) || !error.fields) throw error;
      throw fieldErrors({ ...quickChecks(body), ...error.fields });
    }
  };
const validateCreate = withQuickChecks(schemaValidator<CreateBody>('admin-share-create.schema.json'));
const validateUpdate = withQuickChecks(schemaValidator<UpdateBody>('admin-share-update.schema.json'));

/** 400 naming each field that the start-up checks would refuse. */
async function refuseUnlessValid(
  all: Readonly<Record<string, string>>,
  configured: ConfiguredShares,
  entry: Pick<ShareEntry, 'source' | 'family'>,
  fields: ShareFields,
): Promise<void> {
  const errors = await checkShare(all, configured, entry, fields);
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);
}

/** What an edit leaves the share with; a photo root's folder is the host's and cannot change here. */
function editedFields(entry: ShareEntry, body: UpdateBody): ShareFields {
  const folder = body.folder?.trim();
  if (entry.family === 'robot.root' && folder !== undefined && folder !== entry.folder) {
    throw fieldErrors({ folder: `is the host's photo folder (${entry.source}.path) and cannot be changed here` });
  }
  const mount = body.mount ?? entry.mount;
  if (mount === null) throw fieldErrors({ mount: 'is required: this share has no name yet' });
  return {
    mount,
    folder: folder ?? entry.folder ?? '',
    readonly: body.readonly ?? entry.readonly,
    dateMount: body.dateMount ?? entry.dateMount ?? '',
    inbox: body.inbox ?? entry.inbox ?? '',
  };
}

export async function listShares(ctx: Context, admin: AdminContext): Promise<void> {
  sendJson(ctx, 200, await shareListing(ctx, admin));
}

export async function addShare(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const body = validateCreate(await readJson(ctx));
  const fields: ShareFields = {
    mount: body.mount,
    folder: body.folder.trim(),
    readonly: body.readonly ?? false,
    dateMount: body.dateMount ?? '',
    inbox: body.inbox ?? '',
  };
  const source = await admin.serially(async () => {
    const all = host.settings.all();
    const entry = { source: nextWebdavSource(all), family: 'webdav' as const };
    await refuseUnlessValid(all, configuredShares(all), entry, fields);
    await ensureShareGroup(host, fields.mount);
    await applySettings(admin, settingsChanges(entry, fields));
    return entry.source;
  });
  host.log.info({ source, mount: fields.mount }, `WebDAV share "${fields.mount}" added from the admin page`);
  sendJson(ctx, 201, { share: await describeSource(ctx, admin, source) });
}

export async function editShare(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const body = validateUpdate(await readJson(ctx));
  const id = ctx.params['id']!;
  const source = await admin.serially(async () => {
    const all = host.settings.all();
    const configured = configuredShares(all);
    const entry = entryOr404(configured, id);
    const fields = editedFields(entry, body);
    await refuseUnlessValid(all, configured, entry, fields);
    const group = await ensureShareGroup(host, fields.mount);
    if (entry.mount !== null && entry.mount !== fields.mount && isValidMount(entry.mount)) {
      // A renamed share keeps its users: the members of the old group join the new one (the old group stays).
      for (const member of await host.groups.members(groupNameOf(entry.mount)))
        await host.groups.addMember(group, member);
    }
    const dateMount = fields.dateMount?.trim() ?? '';
    if (
      entry.dateMount !== null &&
      isValidMount(entry.dateMount) &&
      dateMount !== '' &&
      dateMount !== entry.dateMount
    ) {
      // A renamed date view keeps its users too.
      const viewGroup = await ensureViewGroup(host, dateMount);
      for (const member of await host.groups.members(groupNameOf(entry.dateMount)))
        await host.groups.addMember(viewGroup, member);
    }
    await applySettings(admin, settingsChanges(entry, fields));
    return entry.source;
  });
  host.log.info({ source }, `WebDAV share ${source} changed from the admin page`);
  sendJson(ctx, 200, { share: await describeSource(ctx, admin, source) });
}

export async function removeShare(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const id = ctx.params['id']!;
  const removed = await admin.serially(async () => {
    const all = host.settings.all();
    const entry = entryOr404(configuredShares(all), id);
    if (entry.family === 'robot.root' && entry.mount === null) throw new ApiError(404, `there is no share "${id}"`);
    await applySettings(admin, removalChanges(entry, all));
    return entry;
  });
  host.log.info(
    { source: removed.source, mount: removed.mount },
    `WebDAV share ${removed.source} removed from the admin page`,
  );
  sendJson(ctx, 200, {
    removed: { source: removed.source, mount: removed.mount },
    // Groups are never deleted automatically (README): members are kept should the share come back.
    groupKept: removed.mount !== null && isValidMount(removed.mount) ? groupNameOf(removed.mount) : null,
  });
}

/**
 * "Scan now": the share's folder is scanned for its capture-date index (a
 * scan under way is waited for instead), and the answer is the share as it
 * is then. 409 for a share that keeps no index (no date view, no inbox) or
 * is not served.
 */
export async function scanShare(ctx: Context, admin: AdminContext): Promise<void> {
  const { services, host } = admin;
  await services.settled();
  const entry = entryOr404(configuredShares(host.settings.all()), ctx.params['id']!);
  const share = entry.mount === null ? undefined : services.snapshot().shares.get(entry.mount);
  const name = entry.mount ?? entry.source;
  if (!share || share.source !== entry.source)
    throw new ApiError(409, `share ${name} is not served, so it cannot be scanned`);
  if ((await services.photoStatus(share.mount)).index === null) {
    throw new ApiError(409, `share ${name} keeps no index of its photos: give it a date view or an inbox first`);
  }
  await services.scanNow(share.mount);
  host.log.info({ source: entry.source, mount: share.mount }, `WebDAV share ${name} scanned from the admin page`);
  sendJson(ctx, 200, { share: await describeSource(ctx, admin, entry.source) });
}
