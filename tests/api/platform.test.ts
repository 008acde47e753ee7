import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacegateClient } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';

const origin = new URL(urls.api).origin;

test('health reports every dependency ok', async () => {
  const res = await fetch(`${urls.api}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    status: 'ok',
    dependencies: { dynamodb: 'ok', s3: 'ok', redis: 'ok', faceEngine: 'ok' },
  });
  assert.ok(res.headers.get('x-request-id'));
});

test('unknown routes answer 404 NOT_FOUND in the error model', async () => {
  for (const [method, path] of [
    ['GET', '/v1/nope'],
    ['POST', '/v1/faces/nope'],
    ['GET', '/'],
  ] as const) {
    const res = await fetch(`${origin}${path}`, { method });
    assert.equal(res.status, 404, path);
    const body = await res.json();
    assert.equal(body.error.code, 'NOT_FOUND');
    assert.equal(body.error.requestId, res.headers.get('x-request-id'));
  }
});

test('invalid JSON and schema violations answer 400 naming the field', async () => {
  const post = (body: string) =>
    fetch(`${urls.api}/auth/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
  const broken = await post('{"code": ');
  assert.equal(broken.status, 400);
  assert.deepEqual((await broken.json()).error.details, { fields: { body: 'must be valid JSON' } });

  const wrongType = await post(JSON.stringify({ code: 42 }));
  assert.equal(wrongType.status, 400);
  const body = await wrongType.json();
  assert.equal(body.error.code, 'VALIDATION_FAILED');
  assert.ok(body.error.details.fields.code);

  const missing = await new FacegateClient(origin).post('/v1/auth/session', {});
  assert.equal(missing.status, 400);
  assert.ok(missing.body.error.details.fields.code);
});

test('a body over the limit answers 413 PAYLOAD_TOO_LARGE', async () => {
  const res = await fetch(`${urls.api}/auth/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: 'x'.repeat(7 * 1024 * 1024) }),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'PAYLOAD_TOO_LARGE');
});

test('errors never carry a stack trace', async () => {
  const res = await fetch(`${urls.api}/auth/session`, { method: 'POST', body: '[' });
  const text = await res.text();
  assert.doesNotMatch(text, /at \w+ \(|\.ts:\d+|node_modules/);
});
