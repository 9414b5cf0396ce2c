/**
 * Which resources of one share mount may have dead properties: the paths
 * that had some when the index was loaded, plus those this process has set
 * since. A superset, so "not in the index" means "none" and is answered
 * without a query; "in the index" means "ask the database". Removing
 * properties leaves the index as it is: it stays a superset, and the next
 * load (a second later) forgets what is gone.
 *
 * Paths are the share paths joined with `/`, as in the table; the share
 * root is ''.
 */

const keyOf = (path: readonly string[]): string => path.join('/');

export class PropertyIndex {
  /** The resources that may have properties. */
  private readonly paths = new Set<string>();
  /** The folders with a member that may have properties (a PROPFIND Depth 1 listing). */
  private readonly parents = new Set<string>();
  /** Every resource that may have properties itself or somewhere below it (a tree's removal, copy or move). */
  private readonly trees = new Set<string>();

  /** `paths` as the table spells them. */
  constructor(paths: Iterable<string> = []) {
    for (const path of paths) this.addKey(path);
  }

  /** How many resources may have properties. */
  get size(): number {
    return this.paths.size;
  }

  mayHave(path: readonly string[]): boolean {
    return this.paths.has(keyOf(path));
  }

  mayHaveMembersWith(folder: readonly string[]): boolean {
    return this.parents.has(keyOf(folder));
  }

  mayHaveWithin(path: readonly string[]): boolean {
    return this.trees.has(keyOf(path));
  }

  /** After this process set properties on the resource. */
  add(path: readonly string[]): void {
    this.addKey(keyOf(path));
  }

  private addKey(key: string): void {
    if (this.paths.has(key)) return;
    this.paths.add(key);
    if (key === '') {
      this.trees.add('');
      return;
    }
    const segments = key.split('/');
    this.parents.add(segments.slice(0, -1).join('/'));
    // From the resource up; an ancestor already there has all of its own ancestors too.
    for (let end = segments.length; end >= 0; end--) {
      const ancestor = segments.slice(0, end).join('/');
      if (this.trees.has(ancestor)) break;
      this.trees.add(ancestor);
    }
  }
}
