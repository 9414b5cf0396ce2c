import { test } from 'node:test';
import assert from 'node:assert/strict';
import { propfindQueryOf } from '../../plugin/dav/propfind-query.js';
import { DavError } from '../../plugin/dav/errors.js';

const FINDER_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:getlastmodified/><D:getcontentlength/><D:resourcetype/></D:prop></D:propfind>';

test('an empty body asks for allprop', () => {
  assert.deepEqual(propfindQueryOf(null), { kind: 'allprop', include: [] });
});

test('a body seen before gives the same query, parsed once and frozen', () => {
  const first = propfindQueryOf(FINDER_BODY);
  assert.deepEqual(first, {
    kind: 'prop',
    props: [
      { ns: 'DAV:', local: 'getlastmodified' },
      { ns: 'DAV:', local: 'getcontentlength' },
      { ns: 'DAV:', local: 'resourcetype' },
    ],
  });
  assert.equal(propfindQueryOf(FINDER_BODY), first);
  assert.ok(first.kind === 'prop' && Object.isFrozen(first.props) && Object.isFrozen(first.props[0]));
  assert.throws(() => ((first as { kind: string }).kind = 'propname'), TypeError);
});

test('another body gives its own query', () => {
  const other = FINDER_BODY.replace('<D:resourcetype/>', '<D:getetag/>');
  const query = propfindQueryOf(other);
  assert.ok(query.kind === 'prop' && query.props.some((name) => name.local === 'getetag'));
  assert.notEqual(query, propfindQueryOf(FINDER_BODY));
});

test('a refused body is refused every time, never remembered', () => {
  const bad = '<D:propfind xmlns:D="DAV:"><D:allprop/><D:propname/></D:propfind>';
  for (let i = 0; i < 2; i++)
    assert.throws(
      () => propfindQueryOf(bad),
      (error) => error instanceof DavError && error.status === 400,
    );
});

test('bodies beyond those remembered still parse right, and evicting them loses nothing', () => {
  for (let i = 0; i < 500; i++) {
    const query = propfindQueryOf(
      `<D:propfind xmlns:D="DAV:" xmlns:x="urn:x"><D:prop><x:p${i}/></D:prop></D:propfind>`,
    );
    assert.ok(query.kind === 'prop' && query.props[0]!.local === `p${i}`);
  }
  const again = propfindQueryOf(FINDER_BODY);
  assert.ok(again.kind === 'prop' && again.props.length === 3);
});
