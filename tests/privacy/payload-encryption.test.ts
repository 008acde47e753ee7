import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacegateClient, signatureHeaders, type Session } from '../../shared/client/client.ts';
import { parseEnvelope } from '../../shared/client/sealed.ts';
import { openPayload, payloadKey, sealPayload } from '../../shared/crypto/payload.ts';
import { contractProblems } from '../support/contract.ts';
import { CONSENT } from '../support/fixtures.ts';
import { urls } from '../support/stack.ts';

/**
 * Optional payload encryption over HTTP (api-v1.md, "Consent, retention, audit, export"). Sealed
 * responses are opened here with the server's node:crypto module, independently of the client's Web
 * Crypto, and their content is checked against openapi.json (the contract preload skips sealed bodies).
 */

const origin = new URL(urls.api).origin;
const login = (name: string, encryptPayloads = false) =>
  FacegateClient.login(origin, `test:sealed-${name}-${process.pid}`, { encryptPayloads });

const sealedWith = (signingKey: string, value: unknown) =>
  JSON.stringify(sealPayload(payloadKey(signingKey), Buffer.from(JSON.stringify(value))));

/** One request exactly as given: `body` is the wire body, signed as sent, with the sealing header. */
async function send(
  session: Session,
  method: string,
  path: string,
  body?: string,
  opts: { nonce?: string; header?: string } = {},
) {
  const bytes = new TextEncoder().encode(body ?? '');
  const headers = await signatureHeaders({
    method,
    path,
    query: [],
    body: bytes,
    signingKey: session.signingKey,
    nonce: opts.nonce,
  });
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...headers,
      Authorization: `Bearer ${session.token}`,
      'X-Payload-Encryption': opts.header ?? 'aes-256-gcm',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : bytes,
  });
  return { status: res.status, sealed: res.headers.get('x-payload-encryption'), text: await res.text() };
}

/** Opens a sealed response with the session's key and checks what it holds against the contract. */
function opened(session: Session, method: string, path: string, res: { status: number; text: string }) {
  assert.ok(parseEnvelope(res.text), `not an envelope: ${res.text.slice(0, 200)}`);
  const body = JSON.parse(openPayload(payloadKey(session.signingKey), res.text).toString('utf8'));
  assert.deepEqual(contractProblems(method, path, res.status, body), []);
  return body;
}

test('round trip: a sealing client creates a person and reads it back; nothing travels in plain', async () => {
  const client = await login('round-trip', true);
  const created = await client.post('/v1/persons', { consent: CONSENT, name: 'Sealed Sam', meta: { k: 1 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.headers.get('x-payload-encryption'), 'aes-256-gcm');
  assert.deepEqual(contractProblems('POST', '/v1/persons', 201, created.body), []);
  const read = await client.get(`/v1/persons/${created.body.personId}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.name, 'Sealed Sam');
  assert.deepEqual(read.body.consent, created.body.consent);
  assert.deepEqual(contractProblems('GET', '/v1/persons/{personId}', 200, read.body), []);
  // Errors of an opened request come back sealed too, and open to the error model.
  const missing = await client.get('/v1/persons/p_doesnotexist00000000');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('x-payload-encryption'), 'aes-256-gcm');
  assert.equal(missing.body.error.code, 'NOT_FOUND');
  const invalid = await client.post('/v1/persons', { name: 'No consent' });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.headers.get('x-payload-encryption'), 'aes-256-gcm');
  assert.ok(invalid.body.error.details.fields.consent);
  // 204 has no body to seal.
  const deleted = await client.delete(`/v1/persons/${created.body.personId}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.headers.get('x-payload-encryption'), null);
  // Sessionless endpoints stay plain even for a sealing client.
  assert.equal((await client.get('/v1/health')).headers.get('x-payload-encryption'), null);
});

test('on the wire: the request and the response are envelopes that open with the session key only', async () => {
  const client = await login('wire');
  const session = client.session!;
  const person = { consent: CONSENT, name: 'Wire Wendy' };
  const res = await send(session, 'POST', '/v1/persons', sealedWith(session.signingKey, person));
  assert.equal(res.status, 201, res.text);
  assert.equal(res.sealed, 'aes-256-gcm');
  assert.ok(!res.text.includes('Wendy'));
  const body = opened(session, 'POST', '/v1/persons', res);
  assert.equal(body.name, 'Wire Wendy');
  const other = await login('wire-other');
  assert.throws(() => openPayload(payloadKey(other.session!.signingKey), res.text), /BAD_PAYLOAD|open/);
  // A GET without a body asks for a sealed answer.
  const list = await send(session, 'GET', '/v1/persons');
  assert.equal(list.sealed, 'aes-256-gcm');
  assert.deepEqual(
    opened(session, 'GET', '/v1/persons', list).items.map((p: { name: string }) => p.name),
    ['Wire Wendy'],
  );
});

test('tampered ciphertext and another session’s key: 400 BAD_PAYLOAD in plain, nothing written', async () => {
  const client = await login('tamper');
  const session = client.session!;
  const envelope = JSON.parse(sealedWith(session.signingKey, { consent: CONSENT, name: 'Tampered' }));
  const bytes = Buffer.from(envelope.ciphertext, 'base64');
  bytes[3]! ^= 0x20;
  const tampered = JSON.stringify({ ...envelope, ciphertext: bytes.toString('base64') });

  // Altered after signing: the signature covers the sealed body, so that is a bad signature.
  const original = JSON.stringify(envelope);
  const headers = await signatureHeaders({
    method: 'POST',
    path: '/v1/persons',
    query: [],
    body: new TextEncoder().encode(original),
    signingKey: session.signingKey,
  });
  const altered = await fetch(`${origin}/v1/persons`, {
    method: 'POST',
    headers: { ...headers, Authorization: `Bearer ${session.token}`, 'X-Payload-Encryption': 'aes-256-gcm' },
    body: tampered,
  });
  assert.equal(altered.status, 401);
  assert.equal((await altered.json()).error.code, 'BAD_SIGNATURE');

  // Signed as sent, but the ciphertext does not authenticate.
  const other = await login('tamper-other');
  const cases = {
    'tampered ciphertext': tampered,
    "another session's key": sealedWith(other.session!.signingKey, { consent: CONSENT, name: 'Other' }),
    'no envelope': JSON.stringify({ consent: CONSENT, name: 'Plain body' }),
  };
  for (const [name, body] of Object.entries(cases)) {
    const res = await send(session, 'POST', '/v1/persons', body);
    assert.equal(res.status, 400, name);
    assert.equal(res.sealed, null, name);
    const error = JSON.parse(res.text).error;
    assert.equal(error.code, 'BAD_PAYLOAD', name);
    assert.deepEqual(contractProblems('POST', '/v1/persons', 400, JSON.parse(res.text)), []);
  }
  const unknown = await send(session, 'GET', '/v1/me', undefined, { header: 'aes-128-cbc' });
  assert.equal(unknown.status, 400);
  assert.equal(JSON.parse(unknown.text).error.code, 'BAD_PAYLOAD');
  assert.deepEqual((await client.get('/v1/persons')).body.items, []);
});

test('a replayed sealed request is still 401, and failed authentication answers in plain', async () => {
  const client = await login('replay');
  const session = client.session!;
  const body = sealedWith(session.signingKey, { consent: CONSENT, name: 'Once' });
  const nonce = 'sealed-replay-nonce-0001';
  const first = await send(session, 'POST', '/v1/persons', body, { nonce });
  assert.equal(first.status, 201);
  const replay = await send(session, 'POST', '/v1/persons', body, { nonce });
  assert.equal(replay.status, 401);
  assert.equal(replay.sealed, null);
  assert.equal(JSON.parse(replay.text).error.code, 'REPLAYED_REQUEST');
  const forged = await send({ ...session, token: 'v1.forged.token' }, 'GET', '/v1/me');
  assert.equal(forged.status, 401);
  assert.equal(forged.sealed, null);
  assert.equal((await client.get('/v1/persons')).body.items.length, 1);
});

test('plain requests are unchanged: no header, plain JSON that the contract check reads', async () => {
  const client = await login('plain');
  const created = await client.post('/v1/persons', { consent: CONSENT, name: 'Plain Pat' });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('x-payload-encryption'), null);
  assert.match(created.headers.get('content-type') ?? '', /^application\/json/);
  const read = await client.get(`/v1/persons/${created.body.personId}`);
  assert.equal(read.body.name, 'Plain Pat');
  assert.equal(read.headers.get('x-payload-encryption'), null);
});
