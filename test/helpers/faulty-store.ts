/**
 * A Store that fails on purpose: it wraps a real store and makes chosen
 * operations on chosen paths throw (or, for rename, answer 'cross-device').
 *
 * Partial failures of DELETE, COPY and MOVE cannot be provoked with file
 * permissions: the tests run as root, which ignores them. So a test says
 * "removing `tree/sub/b.txt` fails with 403" or "writing `dst/big.jpg` fails
 * with 507 (disk full)" and checks that everything else was done.
 *
 * Paths are written as the names joined with '/', relative to the share
 * root ('' is the root). Faults can be added and cleared while the server runs.
 */
import { Readable } from 'node:stream';
import { FsStore } from '../../plugin/store/fs-store.js';
import type {
  ByteSpan,
  OpenFile,
  PreparedPath,
  Quota,
  ResourceInfo,
  Store,
  StorePath,
} from '../../plugin/store/store.js';
import { DavError } from '../../plugin/dav/errors.js';
import type { Host } from '../../plugin/host-api.js';

export type Operation = 'stat' | 'list' | 'read' | 'write' | 'makeCollection' | 'removeOne' | 'rename' | 'setModified';

export interface Fault {
  readonly op: Operation;
  /** Names joined with '/'; for rename, the source path. */
  readonly path: string;
  /** Only for the share whose folder this is; any share when absent. */
  readonly root?: string;
  /** The status thrown (a DavError); for rename, 'cross-device' makes it answer that instead. */
  readonly status: number | 'cross-device';
  /**
   * For read: fail after this many bytes were delivered (a disk error in
   * the middle of a file) instead of failing to open it.
   */
  readonly afterBytes?: number;
}

/** The faults of a test; shared by every store the factory makes. */
export class Faults {
  private list: Fault[] = [];
  /** Every operation attempted, as `op path`, for tests that check what was tried. */
  readonly calls: string[] = [];

  add(...faults: Fault[]): void {
    this.list.push(...faults);
  }

  clear(): void {
    this.list = [];
    this.calls.length = 0;
  }

  find(root: string, op: Operation, path: StorePath): Fault | undefined {
    const joined = path.join('/');
    this.calls.push(`${op} ${joined}`);
    return this.list.find(
      (fault) => fault.op === op && fault.path === joined && (fault.root === undefined || fault.root === root),
    );
  }
}

export class FaultyStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly root: string,
    private readonly faults: Faults,
  ) {}

  private check(op: Operation, path: StorePath): void {
    const fault = this.faults.find(this.root, op, path);
    if (fault && fault.status !== 'cross-device' && fault.afterBytes === undefined) {
      throw new DavError(fault.status, `Injected failure: ${op} ${path.join('/')}`);
    }
  }

  async stat(path: StorePath): Promise<ResourceInfo | null> {
    this.check('stat', path);
    return this.inner.stat(path);
  }

  async *list(path: StorePath): AsyncIterable<readonly ResourceInfo[]> {
    this.check('list', path);
    yield* this.inner.list(path);
  }

  /** A 'read' fault fails the opening, or with afterBytes the bytes read from the open file. */
  async open(path: StorePath): Promise<OpenFile | null> {
    const fault = this.faults.find(this.root, 'read', path);
    if (fault && fault.afterBytes === undefined && fault.status !== 'cross-device') {
      throw new DavError(fault.status, `Injected failure: read ${path.join('/')}`);
    }
    const file = await this.inner.open(path);
    const limit = fault?.afterBytes;
    if (file === null || limit === undefined) return file;
    return {
      info: file.info,
      bytes: async (span?: ByteSpan) => {
        const bytes = await file.bytes(span);
        if (bytes.length > limit) throw injectedReadError();
        return bytes;
      },
      stream: (span?: ByteSpan) => breakingAfter(file.stream(span), limit),
      close: () => file.close(),
    };
  }

  close(): void {
    this.inner.close();
  }

  quota(): Promise<Quota> {
    return this.inner.quota();
  }

  /** A look at the target, like stat: a 'stat' fault fails it too. */
  async prepare(path: StorePath): Promise<PreparedPath> {
    this.check('stat', path);
    return this.inner.prepare(path);
  }

  async write(
    path: StorePath,
    body: AsyncIterable<Uint8Array>,
    prepared?: PreparedPath,
  ): Promise<{ created: boolean; info: ResourceInfo }> {
    this.check('write', path);
    return this.inner.write(path, body, prepared);
  }

  async makeCollection(path: StorePath, prepared?: PreparedPath): Promise<void> {
    this.check('makeCollection', path);
    return this.inner.makeCollection(path, prepared);
  }

  async removeOne(path: StorePath): Promise<void> {
    this.check('removeOne', path);
    return this.inner.removeOne(path);
  }

  async rename(from: StorePath, to: StorePath): Promise<'renamed' | 'cross-device'> {
    const fault = this.faults.find(this.root, 'rename', from);
    if (fault?.status === 'cross-device') return 'cross-device';
    if (fault) throw new DavError(fault.status, `Injected failure: rename ${from.join('/')}`);
    return this.inner.rename(from, to);
  }

  async setModified(path: StorePath, modified: Date): Promise<void> {
    this.check('setModified', path);
    return this.inner.setModified(path, modified);
  }
}

/** The same bytes, failing with EIO once more than `limit` bytes have passed. */
function breakingAfter(readable: Readable, limit: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let seen = 0;
    for await (const chunk of readable as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > limit) throw injectedReadError();
      yield chunk;
    }
  }
  const out = Readable.from(chunks(), { objectMode: false });
  out.once('close', () => readable.destroy());
  return out;
}

function injectedReadError(): Error {
  return Object.assign(new Error('Injected read error'), { code: 'EIO' });
}

/** A storeFactory for startPlugin(): real file-system stores with the given faults. */
export function faultyStores(faults: Faults): (root: string, host: Host) => Store {
  return (root, host) => new FaultyStore(new FsStore(root, host.log), root, faults);
}
