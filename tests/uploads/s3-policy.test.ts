import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { signingKey } from '../../scripts/stack/s3-front.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { apiEnv, localS3, urls } from '../support/stack.ts';

/**
 * The local S3 front (scripts/stack/s3-front.ts) enforces what S3 enforces, so a regression of the
 * presigned POST's key, content-type or length conditions fails here: every forged variant of a
 * ticket from POST /v1/uploads is refused with S3's error, the genuine one passes, and nothing is
 * readable or listable without a signature.
 */

const origin = new URL(urls.api).origin;
const login = () => FacegateClient.login(origin, `test:s3-policy-${randomUUID()}`);
const fixture = () => readFile(new URL('../fixtures/faces/misc/faces.jpg', import.meta.url));

interface Ticket {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
}

async function ticket(c: FacegateClient, size: number, contentType = 'image/jpeg'): Promise<Ticket> {
  const created = await c.post('/v1/uploads', { contentType, size });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.method, 'POST');
  return created.body as Ticket;
}

/** The browser form POST, fields first and the file last. */
async function send(url: string, fields: Record<string, string>, file: Buffer, type = 'image/jpeg') {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file)], { type }), 'upload.jpg');
  const res = await fetch(url, { method: 'POST', body: form });
  const text = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/
      .exec(text)?.[1]
      ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(+n)),
  };
}

const keysUnder = async (prefix: string) =>
  (
    (await localS3().send(new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: prefix })))
      .Contents ?? []
  ).map((o) => o.Key!);

const withPolicy = (fields: Record<string, string>, edit: (policy: any) => void) => {
  const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
  edit(policy);
  return Buffer.from(JSON.stringify(policy)).toString('base64');
};

describe('presigned POST policy is enforced by the local S3', () => {
  it("refuses another user's key, another content type, a wrong length, extra fields, tampering, expiry", async () => {
    const [alice, bob] = [await login(), await login()];
    const bytes = await fixture();
    const t = await ticket(alice, bytes.length);
    const bobPrefix = `uploads/${bob.session!.userId}/`;

    const otherKey = await send(t.url, { ...t.fields, key: `${bobPrefix}${randomUUID()}` }, bytes);
    assert.equal(otherKey.status, 403);
    assert.equal(otherKey.code, 'AccessDenied');
    assert.match(otherKey.message!, /^Invalid according to Policy: Policy Condition failed: \["eq","\$key",/);

    const otherType = await send(t.url, { ...t.fields, 'Content-Type': 'text/html' }, bytes, 'text/html');
    assert.equal(otherType.status, 403);
    assert.match(otherType.message!, /Policy Condition failed: \["eq","\$Content-Type","image\/jpeg"\]/);

    const fewer = await send(t.url, t.fields, bytes.subarray(0, bytes.length - 1));
    assert.deepEqual([fewer.status, fewer.code], [400, 'EntityTooSmall']);
    assert.equal(fewer.message, 'Your proposed upload is smaller than the minimum allowed size');
    const more = await send(t.url, t.fields, Buffer.concat([bytes, Buffer.from([0])]));
    assert.deepEqual([more.status, more.code], [400, 'EntityTooLarge']);
    assert.equal(more.message, 'Your proposed upload exceeds the maximum allowed size');

    const extra = await send(t.url, { ...t.fields, 'x-amz-meta-owner': 'bob' }, bytes);
    assert.equal(extra.status, 403);
    assert.equal(extra.message, 'Invalid according to Policy: Extra input fields: x-amz-meta-owner');

    // A policy edited after signing (a larger range, another key prefix): the signature no longer matches.
    const tampered = withPolicy(t.fields, (p) => {
      p.conditions = p.conditions.map((c: unknown) =>
        Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 1e9] : c,
      );
    });
    const tamperedRes = await send(t.url, { ...t.fields, Policy: tampered }, Buffer.concat([bytes, bytes]));
    assert.deepEqual([tamperedRes.status, tamperedRes.code], [403, 'SignatureDoesNotMatch']);

    // An expired policy, correctly signed with the local credentials.
    const expiredPolicy = withPolicy(t.fields, (p) => {
      p.expiration = new Date(Date.now() - 60_000).toISOString();
    });
    const date = t.fields['X-Amz-Date']!.slice(0, 8);
    const signature = createHmac(
      'sha256',
      signingKey(apiEnv.AWS_SECRET_ACCESS_KEY, date, apiEnv.AWS_REGION, 's3'),
    )
      .update(expiredPolicy)
      .digest('hex');
    const expired = await send(
      t.url,
      { ...t.fields, Policy: expiredPolicy, 'X-Amz-Signature': signature },
      bytes,
    );
    assert.deepEqual(
      [expired.status, expired.code, expired.message],
      [403, 'AccessDenied', 'Invalid according to Policy: Policy expired.'],
    );

    // No policy at all: an anonymous upload to a private bucket.
    const anonymous = await send(t.url, { key: t.fields.key!, 'Content-Type': 'image/jpeg' }, bytes);
    assert.deepEqual(
      [anonymous.status, anonymous.code, anonymous.message],
      [403, 'AccessDenied', 'Access Denied'],
    );

    assert.deepEqual(await keysUnder(bobPrefix), [], 'nothing landed under the other user');
    assert.deepEqual(await keysUnder(`uploads/${alice.session!.userId}/`), [], 'nor under the owner');

    // The genuine upload still passes and validates.
    const genuine = await send(t.url, t.fields, bytes);
    assert.equal(genuine.status, 204);
    const done = await alice.post(`/v1/uploads/${t.uploadId}/complete`, {});
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'validated');
  });
});

describe('the local S3 requires a signature for everything else', () => {
  it('anonymous GET, list, PUT and DELETE are AccessDenied; presigned URLs work until they expire or are altered', async () => {
    const c = await login();
    const bytes = await fixture();
    const t = await ticket(c, bytes.length);
    assert.equal((await send(t.url, t.fields, bytes)).status, 204);
    const key = t.fields.key!;
    const bucket = `${urls.s3}/${apiEnv.BUCKET_NAME}`;

    for (const [method, url] of [
      ['GET', `${bucket}/${key}`],
      ['HEAD', `${bucket}/${key}`],
      ['GET', `${bucket}?list-type=2&prefix=uploads/`],
      ['GET', `${urls.s3}/`],
      ['PUT', `${bucket}/${key}`],
      ['DELETE', `${bucket}/${key}`],
    ] as const) {
      const res = await fetch(url, { method, ...(method === 'PUT' ? { body: 'overwritten' } : {}) });
      assert.equal(res.status, 403, `${method} ${url}`);
      if (method !== 'HEAD')
        assert.match(await res.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
    }

    const s3 = localS3();
    const presigned = await getSignedUrl(s3, new GetObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: key }), {
      expiresIn: 60,
    });
    const ok = await fetch(presigned);
    assert.equal(ok.status, 200);
    assert.deepEqual(Buffer.from(await ok.arrayBuffer()), bytes, 'the object is untouched');

    const altered = await fetch(
      presigned
        .replace(encodeURIComponent(t.uploadId), encodeURIComponent(`${t.uploadId}x`))
        .replace(t.uploadId, `${t.uploadId}x`),
    );
    assert.equal(altered.status, 403);
    assert.match(await altered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: key }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 120_000),
    });
    const expired = await fetch(old);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  });
});
