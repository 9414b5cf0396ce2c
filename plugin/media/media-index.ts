/**
 * The capture-date index (`webdav_media`): per share that has a date view or
 * an inbox, one row per photo or video with its size, modification time and
 * capture time. The plugin keeps it itself, so that a date view works in any
 * host, and it lives in the host's database, so that every instance on a
 * shared PostgreSQL database sees the same index.
 *
 * Callers that keep what they read (the date views) compare generation():
 * it changes with every write this process makes. On a database other
 * processes write too, nothing read may be kept (activation.ts,
 * isExclusiveDatabase), and `exclusive` is false.
 */
import type { Knex } from 'knex';
import type { CaptureSource } from './capture-time.js';
import type { MediaKind } from './media-kinds.js';

export const MEDIA_TABLE = 'webdav_media';

/** Rows per INSERT: 8 values each stays well under SQLite's 999 bound variables. */
const BATCH = 100;

export interface IndexedFile {
  /** Names below the share root. */
  readonly path: readonly string[];
  readonly size: number;
  readonly mtimeMs: number;
  readonly captureMs: number;
  /** 'YYYY-MM' of the wall-clock capture time. */
  readonly month: string;
  readonly source: CaptureSource;
  readonly kind: MediaKind;
}

/** What a date view shows of one folder: a month, or the files with no date of their own. */
export type ViewFolder = { readonly month: string } | { readonly undated: true };

export interface FolderSummary {
  /** 'YYYY-MM', or null for the undated files. */
  readonly month: string | null;
  readonly files: number;
  readonly newestMtimeMs: number;
  readonly oldestCaptureMs: number;
}

/** Enough of a row to tell whether the file on disk changed since it was indexed. */
export interface IndexedStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/** Whether the file on disk is the one indexed: same size, same modification time (kept to the millisecond). */
export function unchangedSince(
  stamp: IndexedStamp | null | undefined,
  stats: { size: number; mtimeMs: number },
): boolean {
  return (
    stamp !== null && stamp !== undefined && stamp.size === stats.size && stamp.mtimeMs === Math.round(stats.mtimeMs)
  );
}

interface Row {
  mount: string;
  path: string;
  size: number | string;
  mtime_ms: number | string;
  capture_ms: number | string;
  month: string;
  source: string;
  kind: string;
}

const joined = (path: readonly string[]): string => path.join('/');

function fileOf(row: Row): IndexedFile {
  return {
    path: row.path.split('/'),
    size: Number(row.size),
    mtimeMs: Number(row.mtime_ms),
    captureMs: Number(row.capture_ms),
    month: row.month,
    source: row.source as CaptureSource,
    kind: row.kind as MediaKind,
  };
}

export class MediaIndex {
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly db: Knex,
    readonly options: { readonly exclusive: boolean },
  ) {}

  /** Changes whenever this process changes the mount's rows. */
  generation(mount: string): number {
    return this.generations.get(mount) ?? 0;
  }

  private changed(mount: string): void {
    this.generations.set(mount, this.generation(mount) + 1);
  }

  /** Adds the files, or replaces what was known of them. */
  async put(mount: string, files: readonly IndexedFile[]): Promise<void> {
    if (files.length === 0) return;
    try {
      for (let i = 0; i < files.length; i += BATCH) {
        const rows: Row[] = files.slice(i, i + BATCH).map((file) => ({
          mount,
          path: joined(file.path),
          size: file.size,
          mtime_ms: Math.round(file.mtimeMs),
          capture_ms: Math.round(file.captureMs),
          month: file.month,
          source: file.source,
          kind: file.kind,
        }));
        await this.db(MEDIA_TABLE).insert(rows).onConflict(['mount', 'path']).merge();
      }
    } finally {
      this.changed(mount);
    }
  }

  /** Forgets a file, or a folder and everything below it ([] forgets the whole share). */
  async removeUnder(mount: string, path: readonly string[]): Promise<void> {
    const name = joined(path);
    const below = `${name}/`;
    try {
      await this.db(MEDIA_TABLE)
        .where({ mount })
        .andWhere((where) => {
          if (path.length === 0) return;
          // substr rather than LIKE: SQLite's LIKE ignores case, and names may hold % and _.
          where.where('path', name).orWhereRaw('substr(path, 1, ?) = ?', [below.length, below]);
        })
        .delete();
    } finally {
      this.changed(mount);
    }
  }

  /** Forgets the files named (whole paths, as the scan found them gone). */
  async removePaths(mount: string, paths: readonly (readonly string[])[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      for (let i = 0; i < paths.length; i += BATCH * 8) {
        const names = paths.slice(i, i + BATCH * 8).map(joined);
        await this.db(MEDIA_TABLE).where({ mount }).whereIn('path', names).delete();
      }
    } finally {
      this.changed(mount);
    }
  }

  /** What is indexed of the share, by path: what a scan compares the disk with. */
  async stamps(mount: string): Promise<Map<string, IndexedStamp>> {
    const rows = (await this.db(MEDIA_TABLE).select('path', 'size', 'mtime_ms').where({ mount })) as Pick<
      Row,
      'path' | 'size' | 'mtime_ms'
    >[];
    return new Map(rows.map((row) => [row.path, { size: Number(row.size), mtimeMs: Number(row.mtime_ms) }]));
  }

  /** What is indexed of one file, or null. */
  async stampOf(mount: string, path: readonly string[]): Promise<IndexedStamp | null> {
    const row = (await this.db(MEDIA_TABLE)
      .first('size', 'mtime_ms')
      .where({ mount, path: joined(path) })) as Pick<Row, 'size' | 'mtime_ms'> | undefined;
    return row ? { size: Number(row.size), mtimeMs: Number(row.mtime_ms) } : null;
  }

  /** The months that hold files, and the undated files (month null), with counts: one grouped query. */
  async folders(mount: string): Promise<FolderSummary[]> {
    const rows = (await this.db(MEDIA_TABLE)
      .select(this.db.raw("case when source = 'mtime' then null else month end as folder"))
      .count({ files: '*' })
      .max({ newest: 'mtime_ms' })
      .min({ oldest: 'capture_ms' })
      .where({ mount })
      .groupByRaw("case when source = 'mtime' then null else month end")) as {
      folder: string | null;
      files: number | string;
      newest: number | string;
      oldest: number | string;
    }[];
    return rows
      .map((row) => ({
        month: row.folder,
        files: Number(row.files),
        newestMtimeMs: Number(row.newest),
        oldestCaptureMs: Number(row.oldest),
      }))
      .sort((a, b) => (a.month ?? '').localeCompare(b.month ?? ''));
  }

  /** The files of one view folder, in no order: the date view sorts them the same on every database. */
  async filesIn(mount: string, folder: ViewFolder): Promise<IndexedFile[]> {
    const query = this.db(MEDIA_TABLE).select<Row[]>('*').where({ mount });
    if ('month' in folder) query.andWhere({ month: folder.month }).andWhereNot({ source: 'mtime' });
    else query.andWhere({ source: 'mtime' });
    return (await query).map(fileOf);
  }

  /** How many files are indexed, and how many of them have no date of their own. */
  async counts(mount: string): Promise<{ files: number; undated: number }> {
    const [row] = (await this.db(MEDIA_TABLE)
      .count({ files: '*' })
      .sum({ undated: this.db.raw("case when source = 'mtime' then 1 else 0 end") })
      .where({ mount })) as { files: number | string; undated: number | string | null }[];
    return { files: Number(row?.files ?? 0), undated: Number(row?.undated ?? 0) };
  }
}
