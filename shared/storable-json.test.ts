import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { jsonNestingDepth, parseJsonBody } from './http/validate.ts';
import { personMeta, personName } from './library/schemas.ts';
import { hasLoneSurrogate, storableJsonIssue } from './storable-json.ts';

const nested = (levels: number, leaf: unknown = 1) => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const issue = (v: unknown) => storableJsonIssue(v, { maxBytes: 2048 });

test('storable JSON: everything DynamoDB (and its marshaller) would refuse is an issue with a path', () => {
  assert.deepEqual(issue(JSON.parse('{"a":123456789012345678901234567890}'))?.path, ['a']);
  assert.match(issue(JSON.parse('{"a":1e400}'))!.message, /finite/);
  assert.match(issue({ a: [1e-200] })!.message, /1e-130/);
  assert.deepEqual(issue({ a: [1e-200] })?.path, ['a', 0]);
  assert.match(issue({ a: -(2 ** 53) })!.message, /between/);
  assert.deepEqual(issue(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))?.path, ['constructor']);
  assert.deepEqual(issue(JSON.parse('{"a":{"__proto__":{"x":1}}}'))?.path, ['a', '__proto__']);
  assert.deepEqual(issue({ x: { prototype: 1 } })?.path, ['x', 'prototype']);
  assert.match(issue({ a: { '': 1 } })!.message, /empty key/);
  assert.match(issue({ ['k'.repeat(256)]: 1 })!.message, /255/);
  assert.match(issue({ a: 'x\uD800' })!.message, /surrogate/);
  assert.match(issue({ a: new Date() })!.message, /JSON value/);
  assert.match(issue({ a: 'x'.repeat(3000) })!.message, /2048 bytes/);
  // Depth: 32 levels of objects/arrays (the checked object itself is level 1).
  assert.equal(issue(nested(32)), undefined);
  assert.match(issue(nested(33))!.message, /32 levels/);
  // Fine values pass.
  assert.equal(
    issue({ a: 0, b: -1.5, c: 2 ** 53 - 1, d: 1e-130, e: null, f: [true, 'é', { g: [] }] }),
    undefined,
  );
});

test('storable JSON: 100,000 levels deep is one linear pass, no stack overflow', () => {
  const deep = nested(100_000);
  assert.throws(() => JSON.stringify(deep), RangeError); // what the old size check did
  const started = Date.now();
  assert.match(issue(deep)!.message, /32 levels/);
  assert.ok(Date.now() - started < 1000);
});

test('request bodies: nesting is bounded on the raw text, naming the top-level field', () => {
  assert.equal(jsonNestingDepth('{"a":"[[[{{{","b":[[1]]}'), 3);
  assert.equal(jsonNestingDepth('"\\"[["'), 0);
  const deep = '{"name":"x","meta":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}';
  assert.throws(
    () => parseJsonBody(Buffer.from(deep)),
    (e: { status: number; details: { fields: Record<string, string> } }) =>
      e.status === 400 && /64 levels/.test(e.details.fields.meta ?? ''),
  );
  assert.deepEqual(parseJsonBody(Buffer.from('{"a":[[1]]}')), { a: [[1]] });
});

test('person name: trimmed, NFC, no controls, bidi controls or lone surrogates', () => {
  const name = z.object({ name: personName });
  assert.equal(name.parse({ name: ' e\u0301 ' }).name, '\u00e9');
  for (const bad of [
    'a\u202Eb',
    'a\u2066b',
    'a\u200Fb',
    'a\u0007',
    'a\nb',
    'a\u0085',
    'a\u2028b',
    'a\uD800',
    '\uDC00x',
  ]) {
    assert.equal(name.safeParse({ name: bad }).success, false, JSON.stringify(bad));
  }
  assert.equal(name.safeParse({ name: '👨‍👩‍👧 Zoë 李' }).success, true, 'emoji ZWJ sequences are fine');
  assert.equal(hasLoneSurrogate('😀'), false);
});

test('person meta schema: reports the offending path below meta', () => {
  const body = z.object({ meta: personMeta });
  const r = body.safeParse({ meta: JSON.parse('{"a":{"b":1e400}}') });
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues[0]!.path, ['meta', 'a', 'b']);
  assert.equal(body.safeParse({ meta: [1] }).success, false);
  assert.deepEqual(body.parse({ meta: { a: { b: [1, 'x'] } } }), { meta: { a: { b: [1, 'x'] } } });
});
