import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DavError } from '../../plugin/dav/errors.js';
import {
  DAV_NS,
  EMPTY_SCOPE,
  XML_NS,
  XMLNS_NS,
  applyDeclarations,
  is,
  resolvePrefix,
  splitQName,
} from '../../plugin/dav/xml/namespaces.js';

const is400 = (error: unknown) => error instanceof DavError && error.status === 400;

describe('namespaces', () => {
  it('DAV_NS', () => {
    assert.equal(DAV_NS, 'DAV:');
  });

  it('is() compares (namespace, local name)', () => {
    assert.ok(is({ ns: 'DAV:', local: 'prop' }, DAV_NS, 'prop'));
    assert.ok(!is({ ns: 'DAV:', local: 'prop' }, 'urn:x', 'prop'));
    assert.ok(!is({ ns: 'DAV:', local: 'prop' }, DAV_NS, 'Prop'));
  });

  it('splitQName', () => {
    assert.deepEqual(splitQName('D:prop'), ['D', 'prop']);
    assert.deepEqual(splitQName('prop'), ['', 'prop']);
    for (const bad of [':a', 'a:', 'a:b:c', ':']) assert.throws(() => splitQName(bad), is400, bad);
  });

  it('applyDeclarations builds a child scope and leaves the parent alone', () => {
    const parent = applyDeclarations(EMPTY_SCOPE, [
      ['D', 'DAV:'],
      ['', 'urn:default'],
    ]);
    assert.deepEqual({ ...parent }, { D: 'DAV:', '': 'urn:default' });
    const child = applyDeclarations(parent, [
      ['D', 'urn:other'],
      ['', ''],
    ]);
    assert.deepEqual({ ...child }, { D: 'urn:other' });
    assert.deepEqual({ ...parent }, { D: 'DAV:', '': 'urn:default' });
    assert.equal(applyDeclarations(parent, []), parent);
    assert.equal(Object.getPrototypeOf(child), null);
  });

  it('applyDeclarations refuses what Namespaces in XML forbids', () => {
    assert.throws(() => applyDeclarations(EMPTY_SCOPE, [['bar', '']]), is400);
    assert.throws(() => applyDeclarations(EMPTY_SCOPE, [['xmlns', 'urn:x']]), is400);
    assert.throws(() => applyDeclarations(EMPTY_SCOPE, [['xml', 'urn:x']]), is400);
    assert.throws(() => applyDeclarations(EMPTY_SCOPE, [['p', XML_NS]]), is400);
    assert.throws(() => applyDeclarations(EMPTY_SCOPE, [['', XMLNS_NS]]), is400);
    assert.deepEqual({ ...applyDeclarations(EMPTY_SCOPE, [['xml', XML_NS]]) }, {});
  });

  it('resolvePrefix', () => {
    const scope = applyDeclarations(EMPTY_SCOPE, [
      ['D', 'DAV:'],
      ['', 'urn:d'],
    ]);
    assert.equal(resolvePrefix(scope, 'D'), 'DAV:');
    assert.equal(resolvePrefix(scope, ''), 'urn:d');
    assert.equal(resolvePrefix(scope, '', true), '');
    assert.equal(resolvePrefix(EMPTY_SCOPE, ''), '');
    assert.equal(resolvePrefix(scope, 'xml'), XML_NS);
    assert.throws(() => resolvePrefix(scope, 'x'), is400);
    assert.throws(() => resolvePrefix(scope, 'xmlns'), is400);
    assert.throws(() => resolvePrefix(scope, 'constructor'), is400);
    assert.throws(() => resolvePrefix(scope, '__proto__'), is400);
  });
});
