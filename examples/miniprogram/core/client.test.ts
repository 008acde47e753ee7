import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { recordFriction, userSubject } from '../../../shared/pow/friction.ts';
import { facesDir } from '../../../tests/support/fixtures.ts';
import { urls } from '../../../tests/support/stack.ts';
import { warmUp } from '../../../tests/web/warm-up.ts';
import { bundle, bundlePath } from './build.ts';
import { FacegateError, MiniClient, signedHeaders, type Transport } from './client.ts';

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
    return { status: res.status, body: parsed };
  },
  async uploadFile({ url, filePath, fields }, onProgress) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([await readFile(filePath)]), path.basename(filePath));
    const res = await fetch(url, { method: 'POST', body: form });
    onProgress?.(100);
    return { status: res.status, body: await res.text() };
  },
};

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
  });
});
