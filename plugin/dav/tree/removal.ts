/**
 * Removing a tree for DELETE (RFC 4918 §9.6) and for a COPY or MOVE that
 * replaces a collection (§9.8.4, §9.9.3): children first, collecting what
 * could not be removed, resource by resource, for a 207 Multi-Status.
 *
 * - A collection is removed only after everything in it was removed: "If any
 *   resource identified by a member URL cannot be deleted, then none of the
 *   member's ancestors can be deleted" (§9.6.1).
 * - Failures name one resource each; their ancestors are not reported again,
 *   since 424 Failed Dependency "SHOULD NOT" appear in these answers: the
 *   client infers them.
 * - Memory stays bounded by the depth of the tree and one batch of a
 *   listing: folders are processed batch by batch as the store lists them.
 */
import type { Logger } from '../../host-api.js';
import type { ResourceInfo, Store, StorePath } from '../../store/store.js';
import type { Resource } from '../context.js';
import { MAX_ROUNDS, attempt, type Failure, type StatusError } from './failures.js';

/** Where a walk works: which store holds the tree, under which mount it is named. */
export type Place = Pick<Resource, 'store' | 'mount' | 'path'>;

export interface Removal {
  /** Whether the resource itself (and so everything below it) is gone. */
  readonly complete: boolean;
  readonly failures: readonly Failure[];
  /** The largest subtrees that are entirely gone (the resource itself when complete). */
  readonly removedRoots: readonly StorePath[];
}

/** Removes a resource and, for a collection, everything below it, children first. */
export async function removeTree(place: Place, info: ResourceInfo, log: Logger): Promise<Removal> {
  const remover = new Remover(place.store, place.mount, log);
  const complete = await remover.remove(place.path, info.isCollection);
  return {
    complete,
    failures: remover.failures,
    removedRoots: complete ? [place.path] : remover.removedRoots,
  };
}

class Remover {
  readonly failures: Failure[] = [];
  readonly removedRoots: StorePath[] = [];

  constructor(
    private readonly store: Store,
    private readonly mount: string,
    private readonly log: Logger,
  ) {}

  /** True when the resource is gone. */
  async remove(path: StorePath, isCollection: boolean): Promise<boolean> {
    // A collection is first tried as it is: an empty folder goes at once, and
    // a symbolic link to a folder is removed as the link, never by emptying
    // the folder it points to.
    const first = await attempt(() => this.store.removeOne(path));
    if (first === null) return true;
    if (!isCollection || first.status !== 409) {
      this.fail(path, isCollection, first);
      return false;
    }
    return this.removeCollection(path);
  }

  private async removeCollection(path: StorePath): Promise<boolean> {
    const failedNames = new Set<string>();
    const removedChildren: StorePath[] = [];
    for (let round = 1; ; round++) {
      let progress = false;
      const listed = await attempt(async () => {
        for await (const batch of this.store.list(path)) {
          for (const child of batch) {
            if (failedNames.has(child.name)) continue;
            const childPath = [...path, child.name];
            if (await this.remove(childPath, child.isCollection)) {
              removedChildren.push(childPath);
              progress = true;
            } else {
              failedNames.add(child.name);
            }
          }
        }
      });
      if (listed !== null) {
        this.fail(path, true, listed);
        this.removedRoots.push(...removedChildren);
        return false;
      }
      // A member is still there, so this folder must stay (§9.6.1); the
      // member's failure is what the client is told about.
      if (failedNames.size > 0) {
        this.removedRoots.push(...removedChildren);
        return false;
      }
      const last = await attempt(() => this.store.removeOne(path));
      if (last === null) return true;
      if (!progress || round === MAX_ROUNDS || last.status !== 409) {
        this.fail(path, true, last);
        this.removedRoots.push(...removedChildren);
        return false;
      }
    }
  }

  private fail(path: StorePath, isCollection: boolean, error: StatusError): void {
    if (error.status >= 500)
      this.log.warn({ mount: this.mount, path: path.join('/'), err: error.cause }, 'WebDAV: could not remove');
    this.failures.push({ mount: this.mount, path, isCollection, status: error.status, description: error.message });
  }
}
