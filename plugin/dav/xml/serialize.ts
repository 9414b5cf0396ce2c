/**
 * Writing a parsed element back out as a self-contained XML fragment: dead
 * property values and lock owners are stored this way and later embedded in
 * any multistatus unchanged (litmus `propvalnspace`).
 */
import { EMPTY_SCOPE, XML_NS, type NamespaceScope } from './namespaces.js';
import { isElement, type XmlElement } from './parse.js';
import { assertLocalName, escapeAttr, escapeText } from './writer.js';

const UNKNOWN = Symbol('unknown default namespace');
type OutScope = Map<string, string | typeof UNKNOWN>;

/**
 * The element as a self-contained XML fragment: it does not depend on the
 * namespace context it is later embedded in. The root declares its whole
 * in-scope prefix map (and `xmlns=""` when it or a descendant relies on
 * having no default namespace); descendants declare what differs from their
 * parent. Prefixes are the ones in the element's scope; an element or
 * attribute whose namespace has no prefix there gets a generated `ns1`,
 * `ns2`, .... Text is escaped with {@link escapeText}, attribute values with
 * {@link escapeAttr}. `parseXml(serializeElement(x))` equals `x` for any
 * element parseXml produced (text nodes merged, as parseXml does).
 */
export function serializeElement(el: XmlElement): string {
  const out: OutScope = new Map([['', UNKNOWN]]);
  let xml = '';
  const emit = (s: string): void => {
    xml += s;
  };
  writeElement(el, out, null, emit);
  return xml;
}

/**
 * Writes one element under its parent's output scope. The output scope is
 * copied only when the element declares something, and the element's own
 * namespace scope is only walked when it differs from the parent's (parseXml
 * shares one scope object between an element and children that declare
 * nothing): the cost per element stays small however many prefixes are in
 * scope.
 */
function writeElement(
  el: XmlElement,
  parent: OutScope,
  parentScope: NamespaceScope | null,
  emit: (s: string) => void,
): void {
  assertLocalName(el.local);
  let out: OutScope = parent;
  const decls = new Map<string, string>();
  const declare = (prefix: string, uri: string): void => {
    if (out === parent) out = new Map(parent);
    out.set(prefix, uri);
    decls.set(prefix, uri);
  };

  // The element's scope, minus what the output context already has.
  const scope = el.scope ?? EMPTY_SCOPE;
  if (scope !== parentScope) {
    for (const prefix of Object.keys(scope)) {
      const uri = scope[prefix]!;
      if (prefix === '' || prefix === 'xml' || prefix === 'xmlns' || uri === '' || uri === XML_NS) continue;
      if (!isNcName(prefix)) continue;
      if (out.get(prefix) !== uri) declare(prefix, uri);
    }
  }
  const defaultNs = Object.hasOwn(scope, '') ? scope['']! : '';
  const current = out.get('');
  if (defaultNs !== '') {
    if (current !== defaultNs) declare('', defaultNs);
  } else if (typeof current === 'string' ? current !== '' : el.ns === '') {
    // No default namespace here: undo an ancestor's in the output, or, at
    // the top of the fragment (context unknown), say so when this element
    // needs it. Otherwise the unknown context cannot matter.
    declare('', '');
  }

  const prefixFor = (ns: string, attribute: boolean): string => {
    if (ns === XML_NS) return 'xml';
    if (!attribute && out.get('') === ns) return '';
    for (const [p, uri] of out) if (p !== '' && uri === ns) return p;
    if (!attribute && ns === '') {
      declare('', '');
      return '';
    }
    if (!attribute && !decls.has('')) {
      declare('', ns);
      return '';
    }
    let n = 1;
    while (out.has(`ns${n}`)) n++;
    declare(`ns${n}`, ns);
    return `ns${n}`;
  };

  const elPrefix = prefixFor(el.ns, false);
  const name = elPrefix ? `${elPrefix}:${el.local}` : el.local;
  let attrs = '';
  for (const a of el.attributes) {
    assertLocalName(a.local);
    const p = a.ns === '' ? '' : prefixFor(a.ns, true);
    attrs += ` ${p ? `${p}:` : ''}${a.local}="${escapeAttr(a.value)}"`;
  }
  let declared = '';
  for (const [prefix, uri] of decls) declared += ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeAttr(uri)}"`;
  emit(`<${name}${declared}${attrs}`);
  if (el.children.length === 0) {
    emit('/>');
    return;
  }
  emit('>');
  for (const child of el.children) {
    if (isElement(child)) writeElement(child, out, scope, emit);
    else emit(escapeText(child.text));
  }
  emit(`</${name}>`);
}

function isNcName(s: string): boolean {
  try {
    assertLocalName(s);
    return true;
  } catch {
    return false;
  }
}
