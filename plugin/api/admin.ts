/**
 * The admin page's endpoints, under /api/plugins/webdav/admin/. Administrators
 * of the host only (checked here, on the server); every state-changing call
 * also needs the session's CSRF token.
 *
 *   GET    admin/status                         the plugin as it runs, and where the host switches it
 *   GET    admin/shares                         every configured share, served or not, with its problems
 *   POST   admin/shares                         {mount, folder, readonly?} → a new webdav.N share
 *   PUT    admin/shares/:id                     {mount?, folder?, readonly?} (a photo root: mount and readonly)
 *   DELETE admin/shares/:id                     stops sharing (webdav.N: all its keys; photo root: its WebDAV keys)
 *   POST   admin/shares/:id/members/:user       adds the user to WebDAV.<mount>
 *   DELETE admin/shares/:id/members/:user       removes the user from it
 *   GET    admin/users                          user names to pick from
 *   GET    admin/audit?q=&offset=&limit=        the audit log, newest first
 *
 * Settings are written through host.settings and applied without a restart;
 * answers come once the new shares are in place.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { searchAudit, type AuditEntry } from '../access/audit.js';
import { groupNameOf } from '../config/shares.js';
import type { SettingsProblem } from '../config/settings.js';
import type { HostUser } from '../host-api.js';
import { shareUrl } from './connect.js';
import { ApiError, fieldErrors, handle, readJson, requireAdmin, requireCsrf, schemaValidator, sendJson } from './http.js';
import { API_PREFIX, pluginManifest, publicOriginOf, type ApiServices } from './services.js';
import {
  checkShare,
  configuredShares,
  findEntry,
  idOf,
  isValidMount,
  nextWebdavSource,
  problemsOf,
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
}
type UpdateBody = Partial<CreateBody>;
interface AuditQueryParams {
  q?: string;
  offset?: number;
  limit?: number;
}

const createSchema = schemaValidator<CreateBody>('admin-share-create.schema.json');
const updateSchema = schemaValidator<UpdateBody>('admin-share-update.schema.json');

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
const validateCreate = withQuickChecks(createSchema);
const validateUpdate = withQuickChecks(updateSchema);
const validateAuditQuery = schemaValidator<AuditQueryParams>('admin-audit-query.schema.json', { coerce: true });

const groupDescription = (mount: string): string => `May use the WebDAV share "${mount}"`;

const plainProblem = (p: SettingsProblem) => ({ key: p.key, message: p.message, severity: p.severity });

export function adminRoutes(router: Router, services: ApiServices): void {
  const { host } = services;
  const base = `${API_PREFIX}/admin`;
  // Changes one after the other: two "add" calls must not pick the same webdav.N.
  let changes: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = changes.then(fn, fn);
    changes = run.catch(() => undefined);
    return run;
  };

  /** Admin, and for a state-changing call the CSRF token: in that order, before any body is read. */
  const guard = async (ctx: Context): Promise<void> => {
    await requireAdmin(host.session, ctx);
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) requireCsrf(host.session, ctx);
  };

  const entryOr404 = (configured: ConfiguredShares, id: string): ShareEntry => {
    const entry = findEntry(configured, id);
    if (!entry) throw new ApiError(404, `there is no share "${id}"`);
    return entry;
  };

  const describe = async (ctx: Context, configured: ConfiguredShares, entry: ShareEntry) => {
    const snapshot = services.snapshot();
    const { settings } = snapshot;
    const served = entry.mount !== null ? snapshot.shares.get(entry.mount) : undefined;
    const share = served && served.source === entry.source ? served : undefined;
    const group = entry.mount !== null && isValidMount(entry.mount) ? groupNameOf(entry.mount) : null;
    const members = group ? await host.groups.members(group) : [];
    let space: { freeBytes: number; usedBytes: number } | null = null;
    if (share) {
      try {
        const quota = await services.storeOf(share).quota();
        space = { freeBytes: quota.availableBytes, usedBytes: quota.usedBytes };
      } catch (error) {
        host.log.warn({ err: error, mount: share.mount }, 'WebDAV: free space of a share could not be read');
      }
    }
    const problems = problemsOf(snapshot.problems, entry.source).map(plainProblem);
    // Written but not yet picked up (another host's settings may notify late): say so rather than show nothing.
    if (!share && problems.length === 0) {
      problems.push({ key: entry.source, message: 'not served yet: the settings change is still being applied', severity: 'notice' });
    }
    return {
      id: idOf(configured, entry),
      mount: entry.mount,
      source: entry.source,
      kind: entry.family === 'robot.root' ? ('photo-root' as const) : ('extra' as const),
      folder: entry.folder,
      served: share !== undefined,
      readonly: entry.readonly,
      uploadAllowed: !entry.readonly && settings.uploadAllowed,
      deleteAllowed: !entry.readonly && settings.deleteAllowed,
      group,
      members,
      memberCount: members.length,
      space,
      url: entry.mount !== null && isValidMount(entry.mount) ? shareUrl(settings.baseUrl ?? publicOriginOf(ctx.state), entry.mount) : null,
      problems,
    };
  };

  const listing = async (ctx: Context) => {
    const configured = configuredShares(host.settings.all());
    const snapshot = services.snapshot();
    const shares = [];
    for (const entry of configured.shares) shares.push(await describe(ctx, configured, entry));
    const claimed = [...configured.shares, ...configured.unsharedRoots].map((e) => e.source);
    const problems = snapshot.problems
      .filter((p) => !claimed.some((source) => p.key === source || p.key.startsWith(`${source}.`)))
      .map(plainProblem);
    return {
      switches: {
        uploadAllowed: snapshot.settings.uploadAllowed,
        deleteAllowed: snapshot.settings.deleteAllowed,
        auditEnabled: snapshot.settings.auditEnabled,
      },
      baseUrl: snapshot.settings.baseUrl ?? null,
      shares,
      unsharedRoots: configured.unsharedRoots.map((e) => ({ id: idOf(configured, e), source: e.source, folder: e.folder ?? '' })),
      problems,
    };
  };

  /** Writes the settings and waits until the plugin serves what they say. */
  const apply = async (changes: Record<string, string | null>): Promise<void> => {
    await host.settings.update(changes);
    await services.settled();
  };

  const describeSource = async (ctx: Context, source: string) => {
    const configured = configuredShares(host.settings.all());
    const entry = [...configured.shares, ...configured.unsharedRoots].find((e) => e.source === source);
    return entry ? describe(ctx, configured, entry) : null;
  };

  router.get(`${base}/status`, handle(async (ctx) => {
    await guard(ctx);
    const { settings, shares, problems } = services.snapshot();
    const configured = configuredShares(host.settings.all());
    const manifest = pluginManifest();
    sendJson(ctx, 200, {
      plugin: { id: manifest.id, name: manifest.name, version: manifest.version, state: 'enabled' },
      host: { name: host.info.name, version: host.info.version, apiVersion: host.info.apiVersion },
      // Where the host lists its plugins and switches them on and off (the reference host's admin panel).
      pluginListUrl: '/admin',
      shares: { served: shares.size, configured: configured.shares.length },
      problems: problems.filter((p) => p.severity === 'error').length,
      switches: { uploadAllowed: settings.uploadAllowed, deleteAllowed: settings.deleteAllowed, auditEnabled: settings.auditEnabled },
      baseUrl: settings.baseUrl ?? null,
    });
  }));

  router.get(`${base}/shares`, handle(async (ctx) => {
    await guard(ctx);
    sendJson(ctx, 200, await listing(ctx));
  }));

  router.post(`${base}/shares`, handle(async (ctx) => {
    await guard(ctx);
    const body = validateCreate(await readJson(ctx));
    const fields: ShareFields = { mount: body.mount, folder: body.folder.trim(), readonly: body.readonly ?? false };
    const source = await serially(async () => {
      const all = host.settings.all();
      const entry = { source: nextWebdavSource(all), family: 'webdav' as const };
      const errors = await checkShare(all, configuredShares(all), entry, fields);
      if (Object.keys(errors).length > 0) throw fieldErrors(errors);
      await host.groups.ensure(groupNameOf(fields.mount), groupDescription(fields.mount));
      await apply(settingsChanges(entry, fields));
      return entry.source;
    });
    host.log.info({ source, mount: fields.mount }, `WebDAV share "${fields.mount}" added from the admin page`);
    sendJson(ctx, 201, { share: await describeSource(ctx, source) });
  }));

  router.put(`${base}/shares/:id`, handle(async (ctx) => {
    await guard(ctx);
    const body = validateUpdate(await readJson(ctx));
    const id = ctx.params['id']!;
    const source = await serially(async () => {
      const all = host.settings.all();
      const configured = configuredShares(all);
      const entry = entryOr404(configured, id);
      const folder = body.folder?.trim();
      if (entry.family === 'robot.root' && folder !== undefined && folder !== entry.folder) {
        throw fieldErrors({ folder: `is the host's photo folder (${entry.source}.path) and cannot be changed here` });
      }
      const mount = body.mount ?? entry.mount;
      if (mount === null) throw fieldErrors({ mount: 'is required: this share has no name yet' });
      const fields: ShareFields = { mount, folder: folder ?? entry.folder ?? '', readonly: body.readonly ?? entry.readonly };
      const errors = await checkShare(all, configured, entry, fields);
      if (Object.keys(errors).length > 0) throw fieldErrors(errors);
      const group = groupNameOf(mount);
      await host.groups.ensure(group, groupDescription(mount));
      if (entry.mount !== null && entry.mount !== mount && isValidMount(entry.mount)) {
        // A renamed share keeps its users: the members of the old group join the new one (the old group stays).
        for (const member of await host.groups.members(groupNameOf(entry.mount))) await host.groups.addMember(group, member);
      }
      await apply(settingsChanges(entry, fields));
      return entry.source;
    });
    host.log.info({ source }, `WebDAV share ${source} changed from the admin page`);
    sendJson(ctx, 200, { share: await describeSource(ctx, source) });
  }));

  router.delete(`${base}/shares/:id`, handle(async (ctx) => {
    await guard(ctx);
    const id = ctx.params['id']!;
    const removed = await serially(async () => {
      const all = host.settings.all();
      const entry = entryOr404(configuredShares(all), id);
      if (entry.family === 'robot.root' && entry.mount === null) throw new ApiError(404, `there is no share "${id}"`);
      await apply(removalChanges(entry, all));
      return entry;
    });
    host.log.info({ source: removed.source, mount: removed.mount }, `WebDAV share ${removed.source} removed from the admin page`);
    sendJson(ctx, 200, {
      removed: { source: removed.source, mount: removed.mount },
      // Groups are never deleted automatically (README): members are kept should the share come back.
      groupKept: removed.mount !== null && isValidMount(removed.mount) ? groupNameOf(removed.mount) : null,
    });
  }));

  const membership = (add: boolean) =>
    handle(async (ctx) => {
      await guard(ctx);
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
      const group = groupNameOf(entry.mount);
      await host.groups.ensure(group, groupDescription(entry.mount));
      if (add) await host.groups.addMember(group, user.name);
      else await host.groups.removeMember(group, user.name);
      host.log.info({ group, user: user.name }, `${user.name} ${add ? 'added to' : 'removed from'} ${group} from the admin page`);
      sendJson(ctx, 200, { group, members: await host.groups.members(group) });
    });
  router.post(`${base}/shares/:id/members/:user`, membership(true));
  router.delete(`${base}/shares/:id/members/:user`, membership(false));

  router.get(`${base}/users`, handle(async (ctx) => {
    await guard(ctx);
    sendJson(ctx, 200, { users: await host.users.list() });
  }));

  router.get(`${base}/audit`, handle(async (ctx) => {
    await guard(ctx);
    const query = validateAuditQuery({ ...ctx.query });
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    const audit = services.auditLog();
    // Switched off, the log is still readable: what was recorded stays in webdav_audit.
    const search = { text: query.q ?? '', offset, limit };
    const page = audit ? await audit.search(search) : await searchAudit(host.db, search);
    sendJson(ctx, 200, {
      enabled: services.snapshot().settings.auditEnabled,
      total: page.total,
      offset,
      limit,
      entries: page.entries.map((e: AuditEntry) => ({ ...e, time: e.time.toISOString() })),
    });
  }));
}
