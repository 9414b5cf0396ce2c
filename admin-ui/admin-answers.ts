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
  /** The date view's name and the inbox folder as the settings spell them (what the form edits). */
  dateMount: string | null;
  inboxFolder: string | null;
  dateView: DateView | null;
  index: IndexFigures | null;
  inbox: InboxFigures | null;
  problems: Problem[];
}

/** A share's read-only view by capture date, with its own group (docs/photo-shares.md). */
export interface DateView {
  mount: string;
  url: string;
  group: string;
  members: string[];
  served: boolean;
}

/** The share's capture-date index and its scan: the one under way, else the last. Times are ISO 8601. */
export interface IndexFigures {
  files: number;
  undated: number;
  scanning: boolean;
  completed: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  filesSeen: number;
  filesRead: number;
  lastError: string | null;
}

/** The inbox in use and what its filer last told. */
export interface InboxFigures {
  folder: string;
  waiting: number;
  failed: number;
  lastPassAt: string | null;
  lastError: string | null;
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
