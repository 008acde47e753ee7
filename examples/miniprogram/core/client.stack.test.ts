import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { recordFriction, userSubject } from '../../../shared/pow/friction.ts';
import { CONSENT, facesDir } from '../../../tests/support/fixtures.ts';
import { urls } from '../../../tests/support/stack.ts';
import { warmUp } from '../../../tests/web/warm-up.ts';
import { bundle, bundlePath } from './build.ts';
import { FacegateError, MiniClient, signedHeaders, type Transport } from './client.ts';
import { CONSENT_NOTICE, enrolWithConsent, withdrawConsent } from './consent.ts';

/**
 * The mini-program client against the local stack's API, through a fetch transport standing in for
 * wx.request / wx.uploadFile: the server accepts what the pure-JS signer signs.
 */

const origin = new URL(urls.api).origin;

interface Me {
  userId: string;
}
interface Person {
  personId: string;
  name: string;
}

const fetchTransport: Transport = {
  async request({ method, url, headers, body }) {
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => (responseHeaders[name] = value));
    return { status: res.status, body: parsed, headers: responseHeaders };
  },
  async uploadFile({ url, filePath, fields }, onProgress) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([await readFile(filePath)]), path.basename(filePath));
    const res = await fetch(url, { method: 'POST', body: form });
    onProgress?.(100);
    return { status: res.status, body: await res.text() };
  },
  randomBytes: async (length) => new Uint8Array(randomBytes(length)),
};

/** The fetch transport, keeping what went over the wire. */
function recording() {
  const wire: { headers: Record<string, string>; body?: string; response: Record<string, string> }[] = [];
  const transport: Transport = {
    ...fetchTransport,
    async request(req) {
      const res = await fetchTransport.request(req);
      wire.push({ headers: req.headers, body: req.body, response: res.headers });
      return res;
    },
  };
  return { transport, wire };
}

async function uploadFixture(client: MiniClient, fixture: string) {
  const file = path.join(facesDir, fixture);
  return client.uploadImage({ path: file, size: (await stat(file)).size, contentType: 'image/png' });
}

const login = async (client: MiniClient) => client.login(`test:mini-${randomUUID().slice(0, 8)}`);

describe('mini-program client', () => {
  before(warmUp, { timeout: 300_000 });

  it('signs requests the API accepts: GET, query, and a UTF-8 JSON body', async () => {
    const client = new MiniClient(origin, fetchTransport);
    const session = await login(client);
    assert.equal((await client.call<Me>('GET', '/v1/me')).userId, session.userId);
    const person = await client.call<Person>('POST', '/v1/persons', {
      body: {
        name: '张三 Zoë 😀',
        meta: { note: "it's (a)*!" },
        consent: {
          obtainedAt: new Date().toISOString(),
          method: '小程序同意页 v1',
          purpose: '门禁识别 door access',
        },
      },
    });
    assert.equal(person.name, '张三 Zoë 😀');
    const page = await client.call<{ items: Person[] }>('GET', '/v1/persons', { query: { limit: 5 } });
    assert.deepEqual(
      page.items.map((p) => p.personId),
      [person.personId],
    );
    const renamed = await client.call<Person>('PATCH', `/v1/persons/${person.personId}`, {
      body: { name: 'Zhang San' },
    });
    assert.equal(renamed.name, 'Zhang San');
    assert.equal(await client.call('DELETE', `/v1/persons/${person.personId}`), undefined);
  });

  it('is refused with a wrong signature or a reused nonce', async () => {
    const client = new MiniClient(origin, fetchTransport);
    const session = await login(client);
    const headers = signedHeaders(
      { ...session, signingKey: 'not-the-key' },
      { method: 'GET', path: '/v1/me' },
    );
    const forged = await fetchTransport.request({ method: 'GET', url: `${origin}/v1/me`, headers });
    assert.equal(forged.status, 401);
    assert.equal((forged.body as { error: { code: string } }).error.code, 'BAD_SIGNATURE');

    const once = signedHeaders(session, { method: 'GET', path: '/v1/me', nonce: `fixed-${randomUUID()}` });
    assert.equal(
      (await fetchTransport.request({ method: 'GET', url: `${origin}/v1/me`, headers: once })).status,
      200,
    );
    const replay = await fetchTransport.request({ method: 'GET', url: `${origin}/v1/me`, headers: once });
    assert.equal((replay.body as { error: { code: string } }).error.code, 'REPLAYED_REQUEST');
  });

  it('uploads a photo straight to S3, then detects and searches with its uploadId', async () => {
    const client = new MiniClient(origin, fetchTransport);
    await login(client);
    const file = path.join(facesDir, 'misc/face1.png');
    const progress: number[] = [];
    const upload = await client.uploadImage(
      { path: file, size: (await stat(file)).size, contentType: 'image/png' },
      (p) => progress.push(p),
    );
    assert.deepEqual(progress, [100]);
    const detected = await client.call<{ faceCount: number }>('POST', '/v1/faces/detect', {
      body: { uploadId: upload.uploadId },
    });
    assert.equal(detected.faceCount, 1);
    const found = await client.call<{ faces: { matches: unknown[] }[] }>('POST', '/v1/search', {
      body: { uploadId: upload.uploadId },
    });
    assert.equal(found.faces.length, 1);
    assert.deepEqual(found.faces[0]!.matches, []);
  });

  it('seals payloads (pure JS) that the API opens, and opens what it seals, errors included', async () => {
    const { transport, wire } = recording();
    const client = new MiniClient(origin, transport, undefined, true);
    await login(client); // sign-in itself is never sealed
    assert.equal(wire[0]!.headers['X-Payload-Encryption'], undefined);
    const person = await client.call<Person>('POST', '/v1/persons', {
      body: { name: '李四 sealed', consent: CONSENT },
    });
    const sent = wire.at(-1)!;
    assert.equal(sent.headers['X-Payload-Encryption'], 'aes-256-gcm');
    assert.deepEqual(Object.keys(JSON.parse(sent.body!)), ['iv', 'ciphertext', 'tag']);
    assert.equal(sent.response['x-payload-encryption'], 'aes-256-gcm');
    assert.equal(person.name, '李四 sealed');
    const read = await client.call<Person>('GET', `/v1/persons/${person.personId}`);
    assert.equal(read.name, '李四 sealed');
    await assert.rejects(
      client.call('POST', '/v1/persons', { body: { name: 'no consent' } }),
      (error: FacegateError) => error.code === 'VALIDATION_FAILED',
    );
    assert.equal(wire.at(-1)!.response['x-payload-encryption'], 'aes-256-gcm');
  });

  it('consent screen flow: no enrolment without agreement, consent recorded, withdrawal erases', async () => {
    const client = new MiniClient(origin, fetchTransport, undefined, true);
    await login(client);
    const upload = await uploadFixture(client, 'misc/face1.png');
    await assert.rejects(
      enrolWithConsent(client, { name: 'Not asked', uploadId: upload.uploadId, agreed: false }),
      (error: FacegateError) => error.code === 'CONSENT_REQUIRED',
    );
    const persons = () => client.call<{ items: Person[] }>('GET', '/v1/persons').then((p) => p.items);
    assert.deepEqual(await persons(), []);

    const now = new Date('2026-12-01T08:00:00Z');
    const enrolment = await enrolWithConsent(
      client,
      { name: 'Wang Wu', uploadId: upload.uploadId, agreed: true },
      now,
    );
    const person = await client.call<
      Person & { consent: { obtainedAt: string; method: string; purpose: string }; faces: unknown[] }
    >('GET', `/v1/persons/${enrolment.personId}`);
    assert.equal(person.consent.purpose, CONSENT_NOTICE.purpose);
    assert.equal(Date.parse(person.consent.obtainedAt), now.getTime());
    assert.match(person.consent.method, /consent page/);
    assert.equal(person.faces.length, 1);

    await withdrawConsent(client, enrolment.personId);
    await withdrawConsent(client, enrolment.personId); // twice is fine
    await assert.rejects(
      client.call('GET', `/v1/persons/${enrolment.personId}`),
      (error: FacegateError) => error.status === 404,
    );

    // A photo without a face: enrolment fails and leaves no person behind.
    const blank = await uploadFixture(client, 'misc/white.png');
    await assert.rejects(enrolWithConsent(client, { name: 'Blank', uploadId: blank.uploadId, agreed: true }));
    assert.deepEqual(await persons(), []);
  });

  it('reports API errors with their code', async () => {
    const client = new MiniClient(origin, fetchTransport);
    await assert.rejects(client.login('not-a-test-code'), (error: FacegateError) => {
      assert.equal(error.status, 401);
      assert.equal(error.code, 'INVALID_LOGIN_CODE');
      return true;
    });
    await login(client);
    await assert.rejects(
      client.call('POST', '/v1/persons', { body: { name: '' } }),
      (error: FacegateError) => {
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.ok((error.details as { fields: Record<string, string> }).fields.name);
        return true;
      },
    );
  });
});

describe('lib/facegate.js (what the mini-program loads)', () => {
  it('solves a proof of work the sign-in asks for and retries with a fresh wx.login code', async () => {
    const code = `test:mini-pow-${randomUUID().slice(0, 8)}`;
    const first = await new MiniClient(origin, fetchTransport).login(code);
    // A user signing in unusually often (arranged in the stack's Redis, just over level 1).
    await recordFriction([userSubject(first.userId)], 7);
    let codesAsked = 0;
    const session = await new MiniClient(origin, fetchTransport).login(async () => {
      codesAsked++;
      return code;
    });
    assert.equal(session.userId, first.userId);
    assert.equal(codesAsked, 2, 'one code for the refused attempt, a fresh one for the retry');
  });

  it('is the current build of core/*.ts', async () => {
    assert.equal(
      await readFile(bundlePath, 'utf8'),
      await bundle(),
      'stale: run `node --import tsx examples/miniprogram/core/build.ts`',
    );
  });

  it('signs a request the API accepts', async () => {
    const lib = (await import(pathToFileURL(bundlePath).href)) as { MiniClient: typeof MiniClient };
    const client = new lib.MiniClient(origin, fetchTransport);
    const session = await login(client);
    assert.equal((await client.call<Me>('GET', '/v1/me')).userId, session.userId);
    client.encryptPayloads = true;
    assert.equal((await client.call<Me>('GET', '/v1/me')).userId, session.userId);
  });
});
