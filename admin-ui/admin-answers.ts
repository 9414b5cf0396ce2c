/**
 * The admin API's answers as the page reads them; plugin/api/admin-*.ts
 * sends them.
 */

export interface Problem {
  key: string;
  message: string;
  severity: 'error' | 'warning' | 'notice';
}

export interface ShareRow {
  id: string;
  mount: string | null;
  source: string;
  kind: 'photo-root' | 'extra';
  folder: string | null;
  /** The folder as found on disk when the page asked; null when the share has none. */
  folderState: 'ok' | 'missing' | 'not-a-folder' | 'not-readable' | 'not-absolute' | 'unusable' | null;
  /** In use now: valid settings and a folder that is there and readable. */
  served: boolean;
  readonly: boolean;
  uploadAllowed: boolean;
  deleteAllowed: boolean;
  group: string | null;
  members: string[];
  memberCount: number;
  space: { freeBytes: number; usedBytes: number } | null;
  url: string | null;
  problems: Problem[];
}

/** A photo folder of the host that is not shared over WebDAV. */
export interface UnsharedRoot {
  id: string;
  source: string;
  folder: string;
}

export interface SharesAnswer {
  switches: { uploadAllowed: boolean; deleteAllowed: boolean; auditEnabled: boolean };
  baseUrl: string | null;
  shares: ShareRow[];
  unsharedRoots: UnsharedRoot[];
  problems: Problem[];
}

export interface StatusAnswer {
  plugin: { id: string; name: string; version: string; state: string };
  host: { name: string; version: string; apiVersion: string };
  pluginListUrl: string;
  loginUrl: string;
  shares: { served: number; configured: number };
  problems: number;
  warnings: number;
  switches: { uploadAllowed: boolean; deleteAllowed: boolean; auditEnabled: boolean };
  baseUrl: string | null;
}

export interface AuditEntry {
  time: string;
  user: string | null;
  address: string;
  method: string;
  path: string;
  destination: string | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

export interface AuditAnswer {
  enabled: boolean;
  total: number;
  offset: number;
  limit: number;
  entries: AuditEntry[];
}
