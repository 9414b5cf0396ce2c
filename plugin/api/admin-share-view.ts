/**
 * How the admin API shows shares: each with its settings, whether and how it
 * is served, its group and members, free space and problems; the listing adds
 * the switches, the photo roots not shared and the problems of no share.
 */
import type { Context } from 'koa';
import { groupNameOf } from '../config/shares.js';
import type { SettingsProblem } from '../config/settings.js';
import type { AdminContext } from './admin-context.js';
import { shareUrl } from './connect.js';
import { publicOriginOf } from './services.js';
import {
  configuredShares,
  idOf,
  isValidMount,
  problemsOf,
  type ConfiguredShares,
  type ShareEntry,
} from './share-entries.js';

const plainProblem = (p: SettingsProblem) => ({ key: p.key, message: p.message, severity: p.severity });

export async function describeShare(
  ctx: Context,
  admin: AdminContext,
  configured: ConfiguredShares,
  entry: ShareEntry,
) {
  const { services, host } = admin;
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
    problems.push({
      key: entry.source,
      message: 'not served yet: the settings change is still being applied',
      severity: 'notice',
    });
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
    url:
      entry.mount !== null && isValidMount(entry.mount)
        ? shareUrl(settings.baseUrl ?? publicOriginOf(ctx.state), entry.mount)
        : null,
    problems,
  };
}

/** The share configured under `source` (webdav.N, robot.root.N) as the settings say now; null once it is gone. */
export async function describeSource(ctx: Context, admin: AdminContext, source: string) {
  const configured = configuredShares(admin.host.settings.all());
  const entry = [...configured.shares, ...configured.unsharedRoots].find((e) => e.source === source);
  return entry ? describeShare(ctx, admin, configured, entry) : null;
}

export async function shareListing(ctx: Context, admin: AdminContext) {
  const configured = configuredShares(admin.host.settings.all());
  const snapshot = admin.services.snapshot();
  const shares = [];
  for (const entry of configured.shares) shares.push(await describeShare(ctx, admin, configured, entry));
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
    unsharedRoots: configured.unsharedRoots.map((e) => ({
      id: idOf(configured, e),
      source: e.source,
      folder: e.folder ?? '',
    })),
    problems,
  };
}
