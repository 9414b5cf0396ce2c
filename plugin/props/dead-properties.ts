/**
 * Dead properties (RFC 4918 §4.1): whatever a client stores with PROPPATCH,
 * kept verbatim. Each value is the property element serialised as a
 * self-contained XML fragment that declares its own namespaces, so that it
 * can be written back into any multistatus unchanged (litmus `propvalnspace`).
 *
 * Resources are named by share mount and path; a listing asks once per
 * folder, never once per entry (DESIGN §9).
 */
import type { PropName } from '../dav/propfind-query.js';

export interface DeadProperty extends PropName {
  /** The whole property element, e.g. `<x:author xmlns:x="urn:x">Ann</x:author>`. */
  readonly xml: string;
}

export type PropertyChange = { readonly set: DeadProperty } | { readonly remove: PropName };

export interface ResourceRef {
  readonly mount: string;
  readonly path: readonly string[];
}

export interface DeadPropertyStore {
  get(resource: ResourceRef): Promise<DeadProperty[]>;
  /** The dead properties of every child of a folder, keyed by child name. */
  childrenOf(folder: ResourceRef): Promise<Map<string, DeadProperty[]>>;
  /**
   * Applies every change or none, in the order given (RFC 4918 §9.2: PROPPATCH
   * is atomic and processed in document order, so a set then a remove of the
   * same property leaves it removed).
   */
  patch(resource: ResourceRef, changes: readonly PropertyChange[]): Promise<void>;
  /** Copies the properties of a resource and, for a tree, of everything below it. */
  copyTree(from: ResourceRef, to: ResourceRef): Promise<void>;
  moveTree(from: ResourceRef, to: ResourceRef): Promise<void>;
  removeTree(resource: ResourceRef): Promise<void>;
}
