import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { stringToSign } from '../../shared/client/canonical.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { CONSENT } from '../support/fixtures.ts';
import { urls } from '../support/stack.ts';

/**
 * Issue 16, "Hardening from an attack session", over HTTP against the local stack: bad input is a
 * 400 naming the field (never a 503 from the DynamoDB write), deep nesting is a 400 (never a stack
 * overflow), the signed path is the path as sent in both spellings, camera ids and person names are
 * restricted.
 */

const origin = new URL(urls.api).origin;
const login = () => FacegateClient.login(origin, `test:hardening-${randomUUID()}`);

interface Sent {
  status: number;
  body: any;
}

/**
 * Sends `body` (raw JSON text, so that 1e400 or 30-digit numbers reach the server as typed) to
 * `sentPath`, signed over `signedPath` (default: the same), literally or through canonicalPath.
 */
async function raw(
  c: FacegateClient,
  method: string,
  sentPath: string,
  body = '',
  opts: { signedPath?: string; literal?: boolean } = {},
): Promise<Sent> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createHmac('sha256', c.session!.signingKey)
    .update(
      stringToSign({
        method,
        path: opts.signedPath ?? sentPath,
        query: [],
        timestamp,
        nonce,
        bodySha256Hex: createHash('sha256').update(body).digest('hex'),
        literalPath: opts.literal ?? false,
      }),
    )
    .digest('hex');
  const res = await fetch(`${origin}${sentPath}`, {
    method,
    headers: {
      Authorization: `Bearer ${c.session!.token}`,
      'X-Timestamp': timestamp,
      'X-Nonce': nonce,
      'X-Signature': signature,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body || undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const assertInvalid = (res: Sent, field: string, message?: RegExp) => {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  const fields = res.body.error.details.fields as Record<string, string>;
  assert.ok(field in fields, `${field} in ${JSON.stringify(fields).slice(0, 300)}`);
  if (message) assert.match(fields[field]!, message);
};

describe('free-form meta: what DynamoDB refuses is a 400 naming the field', () => {
  it('numbers out of range, non-finite, prototype keys, empty keys, too deep; create and update', async () => {
    const c = await login();
    const cases: [string, string, RegExp][] = [
      ['{"name":"x","meta":{"a":123456789012345678901234567890}}', 'meta.a', /between/],
      ['{"name":"x","meta":{"a":1e400}}', 'meta.a', /finite/],
      ['{"name":"x","meta":{"a":[1e-200]}}', 'meta.a.0', /1e-130/],
      ['{"name":"x","meta":{"constructor":{"prototype":{"x":1}}}}', 'meta.constructor', /reserved/],
      ['{"name":"x","meta":{"__proto__":{"x":1}}}', 'meta.__proto__', /reserved/],
      ['{"name":"x","meta":{"a":{"":1}}}', 'meta.a', /empty key/],
      ['{"name":"x","meta":[1,2]}', 'meta', /object/],
      [`{"name":"x","meta":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`, `meta${'.a'.repeat(32)}`, /32 levels/],
    ];
    const withConsent = (body: string) =>
      body.replace('{"name":"x",', `{"name":"x","consent":${JSON.stringify(CONSENT)},`);
    for (const [body, field, message] of cases) {
      assertInvalid(await raw(c, 'POST', '/v1/persons', withConsent(body)), field, message);
    }
    const created = await c.post('/v1/persons', {
      name: 'ok',
      meta: { a: { b: [1, 2.5, 'x', null, true] } },
      consent: CONSENT,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const path = `/v1/persons/${created.body.personId}`;
    for (const [body, field, message] of cases) {
      assertInvalid(await raw(c, 'PATCH', path, body.replace('"name":"x",', '')), field, message);
    }
    assert.deepEqual((await c.get(path)).body.meta, { a: { b: [1, 2.5, 'x', null, true] } });
  });

  it('meta nested 100,000 levels (600 KB) is a 400, not a 500', async () => {
    const c = await login();
    const body = `{"name":"x","consent":${JSON.stringify(CONSENT)},"meta":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    assert.ok(body.length > 600_000);
    assertInvalid(await raw(c, 'POST', '/v1/persons', body), 'meta', /64 levels/);
    // Any other body field too: the bound applies to the raw text before anything walks it.
    const detect = await raw(
      c,
      'POST',
      '/v1/faces/detect',
      `{"image":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    assertInvalid(detect, 'image', /64 levels/);
  });
});

describe('person names', () => {
  it('control characters, bidi controls and lone surrogates are refused; NFC is applied', async () => {
    const c = await login();
    for (const name of ['evil\u202Egnp.exe', 'a\u2066b\u2069', 'bell\u0007', 'line\nbreak', 'del\u007f']) {
      assertInvalid(
        await raw(c, 'POST', '/v1/persons', JSON.stringify({ name, consent: CONSENT })),
        'name',
        /control/,
      );
    }
    // A lone surrogate escaped in JSON text (JSON.stringify would escape it the same way).
    const loneSurrogate = `{"name":"x\\ud800","consent":${JSON.stringify(CONSENT)}}`;
    assertInvalid(await raw(c, 'POST', '/v1/persons', loneSurrogate), 'name', /surrogate/);
    const nfc = await c.post('/v1/persons', { name: ' Zoe\u0301 ', consent: CONSENT });
    assert.equal(nfc.status, 201);
    assert.equal(nfc.body.name, 'Zo\u00e9');
  });
});

describe('signed path = sent path, in both spellings', () => {
  it('a percent-encoded path verifies whether signed as sent or canonical; another path does not', async () => {
    const c = await login();
    const { personId } = (await c.post('/v1/persons', { name: 'spelled', consent: CONSENT })).body as {
      personId: string;
    };
    assert.match(personId, /^p/);
    const encoded = `/v1/persons/%70${personId.slice(1)}`;

    const literal = await raw(c, 'GET', encoded, '', { literal: true });
    assert.equal(literal.status, 200, JSON.stringify(literal.body));
    assert.equal(literal.body.personId, personId);
    const canonical = await raw(c, 'GET', encoded);
    assert.equal(canonical.status, 200, JSON.stringify(canonical.body));
    // The same request signed over the other spelling is the same resource: accepted too.
    assert.equal((await raw(c, 'GET', encoded, '', { signedPath: `/v1/persons/${personId}` })).status, 200);
    // Signed over a different path: refused.
    const other = await raw(c, 'GET', encoded, '', { signedPath: '/v1/persons', literal: true });
    assert.equal(other.status, 401);
    assert.equal(other.body.error.code, 'BAD_SIGNATURE');
  });

  it('a trailing slash is part of the signed path (serverless-offline no longer strips it)', async () => {
    const c = await login();
    const withSlash = await raw(c, 'GET', '/v1/persons/');
    assert.equal(withSlash.status, 200, JSON.stringify(withSlash.body));
    const signedWithout = await raw(c, 'GET', '/v1/persons/', '', { signedPath: '/v1/persons' });
    assert.equal(signedWithout.status, 401);
    assert.equal(signedWithout.body.error.code, 'BAD_SIGNATURE');
    const sentWithout = await raw(c, 'GET', '/v1/persons', '', { signedPath: '/v1/persons/' });
    assert.equal(sentWithout.body.error.code, 'BAD_SIGNATURE');
  });
});

describe('edge heartbeat camera ids', () => {
  it('"..", "." and dot- or dash-led ids are refused; the documented alphabet passes', async () => {
    const c = await login();
    const { siteId, edgeKey } = (await c.post('/v1/sites', { name: 'hardening' })).body as {
      siteId: string;
      edgeKey: string;
    };
    const beat = (cameraId: string) =>
      fetch(`${urls.api}/edge/heartbeat`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${edgeKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          siteId,
          publicUrl: 'https://edge.example.test',
          cameras: [{ cameraId, name: 'Cam', status: 'online' }],
        }),
      });
    for (const cameraId of ['..', '.', '.hidden', '-x', 'a/b', 'a b', '']) {
      const res = await beat(cameraId);
      assert.equal(res.status, 400, cameraId);
      const body = (await res.json()) as { error: { details: { fields: Record<string, string> } } };
      assert.ok('cameras.0.cameraId' in body.error.details.fields, cameraId);
    }
    for (const cameraId of ['gate', 'cam-1', 'front.door', 'A_9'])
      assert.equal((await beat(cameraId)).status, 200, cameraId);
  });
});
