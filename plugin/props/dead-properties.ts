/**
 * Dead properties (RFC 4918 §4.1): whatever a client stores with PROPPATCH,
 * kept verbatim. Each value is the property element serialised as a
 * self-contained XML fragment that declares its own namespaces, so that it
 * can be written back into any multistatus unchanged (litmus `propvalnspace`).
 *
 * Resources are named by share mount and path; a listing asks once per
 * folder, never once per entry: a listing of 10,000 photos is one query.
 */
import type { SharePath } from '../config/shares.js';

/** A property's name: its namespace URI and local name (RFC 4918 §4.4: names are compared as that pair). */
export interface PropName {
  readonly ns: string;
  readonly local: string;
}

export interface DeadProperty extends PropName {
  /** The whole property element, e.g. `<x:author xmlns:x="urn:x">Ann</x:author>`. */
  readonly xml: string;
}

export type PropertyChange = { readonly set: DeadProperty } | { readonly remove: PropName };

export interface DeadPropertyStore {
  get(resource: SharePath): Promise<DeadProperty[]>;
  /** The dead properties of every child of a folder, keyed by child name. */
  childrenOf(folder: SharePath): Promise<Map<string, DeadProperty[]>>;
  /**
   * Applies every change or none, in the order given (RFC 4918 §9.2: PROPPATCH
   * is atomic and processed in document order, so a set then a remove of the
   * same property leaves it removed).
   */
  patch(resource: SharePath, changes: readonly PropertyChange[]): Promise<void>;
  /** Copies the properties of a resource and, for a tree, of everything below it. */
  copyTree(from: SharePath, to: SharePath): Promise<void>;
  moveTree(from: SharePath, to: SharePath): Promise<void>;
  removeTree(resource: SharePath): Promise<void>;
}
