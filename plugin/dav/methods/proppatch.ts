/**
 * PROPPATCH (RFC 4918 §9.2). "Servers MUST process PROPPATCH instructions in
 * document order … Instructions MUST either all be executed or none
 * executed." Live properties are protected (403, §16
 * cannot-modify-protected-property); when any instruction fails, the others
 * answer 424 Failed Dependency and nothing changes.
 *
 * Windows sets Win32LastModifiedTime (urn:schemas-microsoft-com:) after an
 * upload; besides storing it we set the file's mtime, so that Explorer and
 * every other client see the date the photo really has.
 */
import type { SharePath } from '../../config/shares.js';
import type { DeadPropertyStore, PropName, PropertyChange } from '../../props/dead-properties.js';
import type { Resource } from '../context.js';
import { shareTarget, type MethodHandler } from '../context.js';
import { statTarget } from '../collection-url.js';
import { DavError, badRequest, notFound } from '../errors.js';
import { hrefOf } from '../hrefs.js';
import { liveProperty } from '../live-properties.js';
import { requireUnlocked } from '../lock-check.js';
import { produceBody } from '../response-sink.js';
import { DAV_NS, childElements, is, textContent, type XmlElement } from '../xml/parse.js';
import { readXmlBody } from '../xml/request-body.js';
import { serializeElement } from '../xml/serialize.js';
import { MultistatusWriter, propXml } from '../xml/writer.js';

const MICROSOFT_NS = 'urn:schemas-microsoft-com:';

type Instruction = { op: 'set'; element: XmlElement } | { op: 'remove'; name: PropName };

/**
 * At most this many dead properties per resource, and per PROPPATCH; real
 * clients set a handful (Windows Explorer four). A 1 MiB body holds some
 * 90,000 empty properties: stored one by one, they would hold the database
 * (which every login and lock check also needs) for minutes, and every
 * PROPFIND of the resource would answer them all.
 */
export const MAX_DEAD_PROPERTIES = 1000;
/** At most this many bytes of dead property values per resource. */
export const MAX_DEAD_PROPERTY_BYTES = 1024 * 1024;

export const proppatch: MethodHandler = async (request) => {
  const target = shareTarget(request);
  const instructions = parsePropertyUpdate(await readXmlBody(request.ctx.req));
  const info = await statTarget(request, target);
  if (!info) throw notFound();
  await requireUnlocked(request, target, 0);

  const protectedNames = new Set(
    instructions
      .map((instruction) => (instruction.op === 'set' ? instruction.element : instruction.name))
      .filter((name) => liveProperty(name.ns, name.local) !== undefined),
  );
  const { deadProperties } = request.services;

  const changes = instructions.map((instruction): PropertyChange => {
    if (instruction.op === 'remove') return { remove: instruction.name };
    const { ns, local } = instruction.element;
    return { set: { ns, local, xml: serializeElement(instruction.element) } };
  });
  const tooMuch = protectedNames.size === 0 && !(await fits(deadProperties, target, changes));

  const ok: string[] = [];
  const failed: string[] = [];
  const noRoom: string[] = [];
  const dependent: string[] = [];
  for (const instruction of instructions) {
    const name = instruction.op === 'set' ? instruction.element : instruction.name;
    const xml = propXml(name.ns, name.local);
    if (protectedNames.has(name)) failed.push(xml);
    else if (protectedNames.size > 0) dependent.push(xml);
    else if (tooMuch) (instruction.op === 'set' ? noRoom : dependent).push(xml);
    else ok.push(xml);
  }

  if (protectedNames.size === 0 && !tooMuch) {
    await deadProperties.patch(target, changes);
    await applyWindowsTimes(target, instructions);
  }

  request.ctx.status = 207;
  request.ctx.type = 'application/xml; charset=utf-8';
  request.ctx.body = await produceBody(
    async (sink) => {
      const writer = new MultistatusWriter(sink);
      await writer.begin();
      await writer.propResponse(hrefOf(target, info.isCollection), [
        { status: 200, props: ok },
        { status: 403, props: failed, description: 'Live properties cannot be changed' },
        {
          status: 507,
          props: noRoom,
          description: `A resource keeps at most ${MAX_DEAD_PROPERTIES} properties, ${MAX_DEAD_PROPERTY_BYTES} bytes in all`,
        },
        { status: 424, props: dependent },
      ]);
      await writer.end();
    },
    () => undefined, // Everything is known beforehand: only the client leaving can cut it short.
  );
};

/**
 * Whether the resource's dead properties, once changed, stay within the
 * limits, or at least do not grow past them (a resource over the limits
 * from before can always be cleaned up).
 */
async function fits(store: DeadPropertyStore, ref: SharePath, changes: readonly PropertyChange[]): Promise<boolean> {
  const sizes = new Map<string, number>();
  for (const prop of await store.get(ref)) sizes.set(`${prop.ns}\u0000${prop.local}`, prop.xml.length);
  const total = (): number => [...sizes.values()].reduce((sum, size) => sum + size, 0);
  const [countBefore, bytesBefore] = [sizes.size, total()];
  for (const change of changes) {
    if ('set' in change) sizes.set(`${change.set.ns}\u0000${change.set.local}`, change.set.xml.length);
    else sizes.delete(`${change.remove.ns}\u0000${change.remove.local}`);
  }
  const [count, bytes] = [sizes.size, total()];
  return (
    (count <= MAX_DEAD_PROPERTIES || count <= countBefore) && (bytes <= MAX_DEAD_PROPERTY_BYTES || bytes <= bytesBefore)
  );
}

function parsePropertyUpdate(body: XmlElement | null): Instruction[] {
  if (!body || !is(body, DAV_NS, 'propertyupdate')) throw badRequest('PROPPATCH needs a DAV:propertyupdate body');
  const instructions: Instruction[] = [];
  for (const part of childElements(body)) {
    if (part.ns !== DAV_NS || (part.local !== 'set' && part.local !== 'remove')) continue;
    for (const prop of childElements(part).filter((child) => is(child, DAV_NS, 'prop'))) {
      for (const element of childElements(prop)) {
        instructions.push(
          part.local === 'set'
            ? { op: 'set', element }
            : { op: 'remove', name: { ns: element.ns, local: element.local } },
        );
      }
    }
  }
  if (instructions.length === 0) throw badRequest('DAV:propertyupdate names no property to set or remove');
  if (instructions.length > MAX_DEAD_PROPERTIES) {
    throw new DavError(507, `A PROPPATCH may change at most ${MAX_DEAD_PROPERTIES} properties`);
  }
  return instructions;
}

async function applyWindowsTimes(target: Resource, instructions: readonly Instruction[]): Promise<void> {
  for (const instruction of instructions) {
    if (instruction.op !== 'set') continue;
    const { element } = instruction;
    if (element.ns !== MICROSOFT_NS || element.local !== 'Win32LastModifiedTime') continue;
    const time = Date.parse(textContent(element));
    // A date the client could not mean (unparseable) is stored but not applied.
    if (!Number.isNaN(time)) await target.store.setModified(target.path, new Date(time));
  }
}
