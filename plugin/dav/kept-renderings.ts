/**
 * The members' part of a PROPFIND Depth 1 answer for a big folder, kept
 * compressed, so that listing the folder again while nothing in it changed
 * sends the same bytes without looking at 100,000 files or writing their
 * XML again.
 *
 * A folder of 100,000 photos is 39 MB of XML: kept as it is, it would
 * double the memory of the server; deflated at the fastest level it is
 * 2.6 MB, and inflating it again (in the thread pool) takes a few tens of
 * milliseconds. The store keeps the listing of such a folder only as a
 * stamp (store/listing-cache.ts), which stays current while listing the
 * folder again would give the same entries: any change in the folder, or
 * 5 s, ends it.
 *
 * What else the members' XML depends on is part of the key or checked at
 * every use by the caller: the query (by identity: the same body gives the
 * same object), the folder's href, and that no member has dead properties
 * or locks. A query for quota properties is never kept: their values
 * change with the disk, not with the folder.
 *
 * One rendering per folder href; at most `maxBytes` of them, the least
 * recently used going first. A listing under RECORD_FROM_BYTES of XML is
 * never compressed: the store keeps smaller folders itself.
 */
import { promisify } from 'node:util';
import { deflateRawSync, inflateRaw, constants as zlib } from 'node:zlib';
import type { ListingStamp } from '../store/store.js';
import { DAV_NS } from './xml/parse.js';
import { namesIn, type PropfindQuery } from './propfind-query.js';

export const RECORD_FROM_BYTES = 1024 * 1024;
export const KEPT_RENDERING_BYTES = 32 * 1024 * 1024;
const GROUP_BYTES = 512 * 1024;
const inflate = promisify(inflateRaw);

interface Rendering {
  readonly stamp: ListingStamp;
  readonly query: PropfindQuery;
  readonly compressed: readonly Buffer[];
  readonly bytes: number;
}

export class KeptRenderings {
  /** By folder href, in order of last use, oldest first. */
  private readonly kept = new Map<string, Rendering>();
  private total = 0;

  constructor(private readonly maxBytes = KEPT_RENDERING_BYTES) {}

  /** How many compressed bytes are kept. */
  get bytes(): number {
    return this.total;
  }

  /** The members' XML kept for this folder, listing and query, as it is to be sent; undefined when there is none. */
  find(href: string, stamp: ListingStamp, query: PropfindQuery): AsyncIterable<Buffer> | undefined {
    const rendering = this.kept.get(href);
    if (!rendering || rendering.stamp !== stamp || rendering.query !== query) return undefined;
    this.kept.delete(href);
    this.kept.set(href, rendering);
    return inflated(rendering.compressed);
  }

  /**
   * A recorder for the members' XML about to be written for a folder, or
   * null when this query is not kept. Once the listing is written, call
   * keepAs() with the stamp the store gave it, or drop() when it gave none
   * (or the listing failed).
   */
  recorder(href: string, query: PropfindQuery): RenderingRecorder | null {
    if (this.maxBytes <= 0 || asksForQuota(query)) return null;
    return new RenderingRecorder(this.maxBytes / 2, (stamp, compressed) => this.keep(href, stamp, query, compressed));
  }

  private keep(href: string, stamp: ListingStamp, query: PropfindQuery, compressed: readonly Buffer[]): void {
    this.forget(href);
    const bytes = compressed.reduce((sum, chunk) => sum + chunk.length, 0);
    this.kept.set(href, { stamp, query, compressed, bytes });
    this.total += bytes;
    for (const oldest of this.kept.keys()) {
      if (this.total <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(href: string): void {
    const rendering = this.kept.get(href);
    if (!rendering) return;
    this.kept.delete(href);
    this.total -= rendering.bytes;
  }
}

/**
 * Takes the pieces of XML as they are written (MultistatusWriter.record).
 * The first RECORD_FROM_BYTES are only held (they are pieces written
 * anyway); from then on, pieces are encoded into one scratch buffer and
 * each GROUP_BYTES of it deflated at once, on the spot (about 1 ms per
 * 1 MB at the fastest level): no buffer is made per piece or per group, so
 * the listing leaves no more garbage than it would without being kept.
 * Each group is deflated on its own, and inflated on its own when sent.
 */
export class RenderingRecorder {
  private held: (string | Uint8Array)[] | null = [];
  private heldBytes = 0;
  private scratch: Buffer | null = null;
  private used = 0;
  private readonly compressed: Buffer[] = [];
  private compressedBytes = 0;
  private failed = false;

  constructor(
    private readonly maxCompressedBytes: number,
    private readonly kept: (stamp: ListingStamp, compressed: readonly Buffer[]) => void,
  ) {}

  readonly add = (piece: string | Uint8Array): void => {
    if (this.failed) return;
    if (this.held) {
      this.held.push(piece);
      this.heldBytes += piece.length;
      if (this.heldBytes < RECORD_FROM_BYTES) return;
      const held = this.held;
      this.held = null;
      this.scratch = Buffer.allocUnsafeSlow(GROUP_BYTES);
      for (const part of held) if (!this.failed) this.encode(part);
      return;
    }
    this.encode(piece);
  };

  /** The listing was written whole and the store vouched for it with `stamp`: it is kept. */
  keepAs(stamp: ListingStamp): void {
    if (this.failed || this.held) return this.drop();
    this.deflateScratch();
    if (!this.failed) this.kept(stamp, this.compressed);
    this.drop();
  }

  drop(): void {
    this.failed = true;
    this.held = null;
    this.scratch = null;
  }

  private encode(piece: string | Uint8Array): void {
    // At most 3 bytes of UTF-8 a UTF-16 unit: a piece that might not fit waits for the next group.
    const most = typeof piece === 'string' ? piece.length * 3 : piece.length;
    if (this.used + most > GROUP_BYTES) this.deflateScratch();
    if (this.failed) return; // grown too big: dropped
    if (most > GROUP_BYTES) {
      this.deflate(typeof piece === 'string' ? Buffer.from(piece) : piece);
      return;
    }
    if (typeof piece === 'string') {
      this.used += this.scratch!.write(piece, this.used);
    } else {
      this.scratch!.set(piece, this.used);
      this.used += piece.length;
    }
  }

  private deflateScratch(): void {
    if (this.used === 0 || this.failed) return;
    this.deflate(this.scratch!.subarray(0, this.used));
    this.used = 0;
  }

  private deflate(bytes: Uint8Array): void {
    const chunk = deflateRawSync(bytes, { level: zlib.Z_BEST_SPEED });
    this.compressed.push(chunk);
    this.compressedBytes += chunk.length;
    if (this.compressedBytes > this.maxCompressedBytes) this.drop();
  }
}

/** The groups inflated one after the other in the thread pool, the next while the one before is sent. */
async function* inflated(compressed: readonly Buffer[]): AsyncIterable<Buffer> {
  const start = (i: number): Promise<Buffer> | null => {
    if (i >= compressed.length) return null;
    // Whole groups at once: by default zlib hands back 16 KiB per turn of the thread pool.
    const inflating = inflate(compressed[i]!, { chunkSize: GROUP_BYTES });
    inflating.catch(() => undefined); // still thrown where it is awaited; not unhandled if the client left first
    return inflating;
  };
  let next = start(0);
  for (let i = 0; next; i++) {
    const current = await next;
    next = start(i + 1);
    yield current;
  }
}

function asksForQuota(query: PropfindQuery): boolean {
  return namesIn(query).some((name) => name.ns === DAV_NS && name.local.startsWith('quota-'));
}
