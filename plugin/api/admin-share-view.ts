/**
 * How the admin API shows shares: each with its settings, whether and how it
 * is served, its group and members, free space and problems, and for a
 * photo-aware share (docs/photo-shares.md) its date view with the view's
 * group, its capture-date index and its inbox; the listing adds the switches,
 * the photo roots not shared and the problems of no share.
 *
 * "Served" is checked again on every call, not taken from the snapshot of
 * the last settings change: a folder can vanish, or come back, on disk
 * without any settings change. A folder that came back is served again at
 * once (the snapshot is rebuilt); one that vanished is reported, and its
 * share keeps its place so that it works again when the folder returns.
 */
import type { Context } from 'koa';
import { folderState, type FolderState } from '../config/folder-state.js';
import { groupNameOf, type Share, type ShareSnapshot } from '../config/shares.js';
import type { SettingsProblem } from '../config/settings.js';
import type { AdminContext } from './admin-context.js';
import { shareUrl } from './connect.js';
import { publicOriginOf, type PhotoStatus } from './services.js';
import {
  configuredShares,
  idOf,
  isValidMount,
  problemsOf,
  type ConfiguredShares,
  type ShareEntry,
} from './share-entries.js';

type Problem = Pick<SettingsProblem, 'key' | 'message' | 'severity'>;

const plainProblem = (p: SettingsProblem): Problem => ({ key: p.key, message: p.message, severity: p.severity });

/** The settings, the snapshot and every share's folder as they are now. */
interface LiveShares {
  readonly configured: ConfiguredShares;
  readonly snapshot: ShareSnapshot;
  /** By source (webdav.N); absent for a share without a folder. */
  readonly folders: ReadonlyMap<string, FolderState>;
}

const servedShareOf = (snapshot: ShareSnapshot, entry: ShareEntry) => {
  const share = entry.mount !== null ? snapshot.shares.get(entry.mount) : undefined;
  return share && share.source === entry.source ? share : undefined;
};

/** True when a rebuilt snapshot would serve differently: a folder is back, or now resolves elsewhere. */
function outOfDate(snapshot: ShareSnapshot, entry: ShareEntry, folder: FolderState | undefined): boolean {
  if (folder?.state !== 'ok') return false;
  const share = servedShareOf(snapshot, entry);
  if (share) return share.root !== folder.root;
  return problemsOf(snapshot.problems, entry.source).some((p) => p.key === `${entry.source}.path`);
}

async function liveShares(admin: AdminContext): Promise<LiveShares> {
  const { services, host } = admin;
  await services.settled();
  const configured = configuredShares(host.settings.all());
  const folders = new Map<string, FolderState>();
  for (const entry of configured.shares) {
    if (entry.folder !== null) folders.set(entry.source, await folderState(entry.folder));
  }
  let snapshot = services.snapshot();
  if (configured.shares.some((entry) => outOfDate(snapshot, entry, folders.get(entry.source)))) {
    await services.recheck();
    snapshot = services.snapshot();
  }
  return { configured, snapshot, folders };
}

const isoOrNull = (date: Date | null | undefined): string | null => date?.toISOString() ?? null;

/** The share's date view as written, whether it is served, and who is in its group; null without a usable name. */
async function describeDateView(
  admin: AdminContext,
  snapshot: ShareSnapshot,
  base: string,
  entry: ShareEntry,
  share: Share | undefined,
) {
  const mount = entry.dateMount;
  if (mount === null || !isValidMount(mount)) return null;
  const group = groupNameOf(mount);
  return {
    mount,
    url: shareUrl(base, mount),
    group,
    members: await admin.host.groups.members(group),
    served: share !== undefined && snapshot.dateViews.get(mount)?.dateViewOf === share.mount,
  };
}

/** The index's figures and its scan's progress; null when the share keeps no index. */
function describeIndex({ index }: PhotoStatus) {
  if (!index) return null;
  const { scan } = index;
  return {
    files: index.files,
    undated: index.undated,
    scanning: scan.scanning,
    completed: scan.completed,
    startedAt: isoOrNull(scan.startedAt),
    finishedAt: isoOrNull(scan.finishedAt),
    filesSeen: scan.filesSeen,
    filesRead: scan.filesRead,
    lastError: scan.lastError,
  };
}

/**
 * The inbox in use (none on a read-only share: settings problems say why),
 * with what the filer last told; before its first pass, nothing waiting or
 * failed and no pass time.
 */
function describeInbox(share: Share | undefined, { inbox }: PhotoStatus) {
  if (!share?.inbox) return null;
  return {
    folder: share.inbox.join('/'),
    waiting: inbox?.waiting ?? 0,
    failed: inbox?.failed ?? 0,
    lastPassAt: isoOrNull(inbox?.lastPassAt),
    lastError: inbox?.lastError ?? null,
  };
}

async function describeShare(ctx: Context, admin: AdminContext, live: LiveShares, entry: ShareEntry) {
  const { services, host } = admin;
  const { snapshot, configured } = live;
  const { settings } = snapshot;
  const base = settings.baseUrl ?? publicOriginOf(ctx.state);
  const folder = live.folders.get(entry.source);
  const share = folder?.state === 'ok' ? servedShareOf(snapshot, entry) : undefined;
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
  const photos: PhotoStatus = share ? await services.photoStatus(share.mount) : { index: null, inbox: null };
  const problems = problemsOf(snapshot.problems, entry.source).map(plainProblem);
  const pathKey = `${entry.source}.path`;
  // The folder went away (or lost its permissions) since the settings were read.
  if (folder && folder.state !== 'ok' && !problems.some((p) => p.key === pathKey && p.severity === 'error')) {
    problems.unshift({ key: pathKey, message: folder.message, severity: 'error' });
  }
  // Written but not yet picked up (another host's settings may notify late): say so rather than show nothing.
  if (!share && !problems.some((p) => p.severity === 'error')) {
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
    folderState: folder?.state ?? null,
    served: share !== undefined,
    readonly: entry.readonly,
    uploadAllowed: !entry.readonly && settings.uploadAllowed,
    deleteAllowed: !entry.readonly && settings.deleteAllowed,
    group,
    members,
    memberCount: members.length,
    space,
    url: entry.mount !== null && isValidMount(entry.mount) ? shareUrl(base, entry.mount) : null,
    dateMount: entry.dateMount,
    inboxFolder: entry.inbox,
    dateView: await describeDateView(admin, snapshot, base, entry, share),
    index: describeIndex(photos),
    inbox: describeInbox(share, photos),
    problems,
  };
}

/** The share configured under `source` (webdav.N, robot.root.N) as the settings say now; null once it is gone. */
export async function describeSource(ctx: Context, admin: AdminContext, source: string) {
  const live = await liveShares(admin);
  const entry = [...live.configured.shares, ...live.configured.unsharedRoots].find((e) => e.source === source);
  return entry ? describeShare(ctx, admin, live, entry) : null;
}

export async function shareListing(ctx: Context, admin: AdminContext) {
  const live = await liveShares(admin);
  const { configured, snapshot } = live;
  const shares = [];
  for (const entry of configured.shares) shares.push(await describeShare(ctx, admin, live, entry));
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

/** How many problems of each severity the listing shows, on shares and on nothing. */
export function problemCounts(listing: Awaited<ReturnType<typeof shareListing>>): Record<Problem['severity'], number> {
  const counts = { error: 0, warning: 0, notice: 0 };
  for (const p of [...listing.problems, ...listing.shares.flatMap((s) => s.problems)]) counts[p.severity] += 1;
  return counts;
}
