/**
 * What the JSON API needs of the running activation.
 */
import { readFileSync } from 'node:fs';
import type { AuditLog } from '../access/audit.js';
import type { Share, ShareSnapshot } from '../config/shares.js';
import type { Host } from '../host-api.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { IndexStatus } from '../media/photo-shares.js';
import type { Store } from '../store/store.js';

export interface ApiServices {
  readonly host: Host;
  /** The shares being served now. */
  snapshot(): ShareSnapshot;
  storeOf(share: Share): Store;
  /** Resolves once the settings changes noticed so far are applied to the snapshot. */
  settled(): Promise<void>;
  /** Builds the snapshot again, as a settings change does (a folder that was missing may be back). */
  recheck(): Promise<void>;
  /** The audit log while `user.log.webdav=true`. */
  auditLog(): AuditLog | null;
  /** The WebDAV locks, for the admin page to list and remove. */
  readonly locks: Pick<LockManager, 'list' | 'find' | 'release'>;
  /** A share's capture-date index and inbox as they are now; each null when the share keeps none. */
  photoStatus(mount: string): Promise<PhotoStatus>;
  /** Scans the share's folder for the index now; resolves when the scan is done. */
  scanNow(mount: string): Promise<void>;
}

/**
 * What the inbox filer tells of one share's inbox (docs/inbox.md). Declared
 * here rather than imported so that the API needs nothing of plugin/inbox/.
 */
export interface InboxStatus {
  /** Files in the inbox not filed yet: still being written, or waiting for the next pass. */
  readonly waiting: number;
  /** Files the filer gave up on (left in place, with the reason in the log). */
  readonly failed: number;
  readonly lastPassAt: Date | null;
  readonly lastError: string | null;
}

export interface PhotoStatus {
  readonly index: IndexStatus | null;
  readonly inbox: InboxStatus | null;
}

export const API_PREFIX = '/api/plugins/webdav';

interface ManifestInfo {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly ui?: {
    readonly adminPage?: { readonly element: string; readonly title: string };
    readonly aboutControl?: { readonly element: string; readonly title: string };
  };
}

let manifest: ManifestInfo | undefined;

/** The plugin's manifest.json (dist/plugin/api → the package root). */
export function pluginManifest(): ManifestInfo {
  manifest ??= JSON.parse(readFileSync(new URL('../../../manifest.json', import.meta.url), 'utf8')) as ManifestInfo;
  return manifest;
}

/** The origin clients use, as the host tells it (proxy-aware), e.g. `http://192.168.1.5:8080`. */
export function publicOriginOf(state: unknown): string {
  const origin = (state as { publicOrigin?: unknown }).publicOrigin;
  return typeof origin === 'string' && origin !== '' ? origin : 'http://localhost';
}
