import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { FacegateClient } from '../../shared/client/client.ts';
import { CONSENT } from '../support/fixtures.ts';
import { apiEnv, localS3, urls } from '../support/stack.ts';
import { hasGpsTag, jpegWithGps } from '../../shared/image/test-images.ts';

/**
 * Direct-to-S3 uploads through the signed API on serverless-offline, the bytes sent with real HTTP
 * requests to the presigned URLs on s3rver (a multipart/form-data POST, or one PUT per part).
 */

const origin = new URL(urls.api).origin;
const login = () => FacegateClient.login(origin, `test:uploads-${randomUUID()}`);
const fixture = (path: string) => readFile(new URL(`../fixtures/faces/${path}`, import.meta.url));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

type ContentType = 'image/jpeg' | 'image/png' | 'image/webp';

/** POST /v1/uploads, then the presigned form POST exactly as a browser sends it (file field last). */
async function postUpload(c: FacegateClient, bytes: Buffer, contentType: ContentType, declared: object = {}) {
  const created = await c.post('/v1/uploads', { contentType, size: bytes.length, ...declared });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.method, 'POST');
  const form = new FormData();
  for (const [name, value] of Object.entries(created.body.fields as Record<string, string>))
    form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'upload');
  const sent = await fetch(created.body.url, { method: 'POST', body: form });
  assert.equal(sent.status, 204, await sent.text());
  return created.body.uploadId as string;
}

/** GET /v1/uploads/{id} until the upload is settled by the bucket's ObjectCreated notification. */
async function settledUpload(c: FacegateClient, uploadId: string) {
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
    const { body } = await c.get(`/v1/uploads/${uploadId}`);
    if (body.status !== 'pending' || Date.now() > deadline) return body;
  }
}

async function putPart(url: string, bytes: Buffer): Promise<string> {
  const res = await fetch(url, { method: 'PUT', body: new Uint8Array(bytes) });
  assert.equal(res.status, 200, await res.text());
  return res.headers.get('etag')!;
}

/** Keys the bucket holds for a user. */
async function objectsOf(userId: string): Promise<string[]> {
  const page = await localS3().send(
    new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: `uploads/${userId}/` }),
  );
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

async function storedCopy(userId: string, uploadId: string): Promise<Buffer> {
  const out = await localS3().send(
    new GetObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: `uploads/${userId}/validated/${uploadId}` }),
  );
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe('presigned POST upload', () => {
  it('faces.jpg: validated as it lands, complete answers the same; detect by uploadId finds its 6 faces', async () => {
    const c = await login();
    const userId = c.session!.userId;
    const bytes = await fixture('misc/faces.jpg');
    const uploadId = await postUpload(c, bytes, 'image/jpeg', { sha256: sha256(bytes) });

    // The local S3 delivers the bucket's ObjectCreated notification as AWS does: no complete needed.
    const landed = await settledUpload(c, uploadId);
    assert.equal(landed.status, 'validated', JSON.stringify(landed));

    const done = await c.post(`/v1/uploads/${uploadId}/complete`, {});
    assert.equal(done.status, 200);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(done.body, {
      uploadId,
      status: 'validated',
      width: meta.width,
      height: meta.height,
      format: 'jpeg',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    assert.deepEqual((await c.get(`/v1/uploads/${uploadId}`)).body, done.body);
    // Completing again changes nothing.
    assert.deepEqual((await c.post(`/v1/uploads/${uploadId}/complete`, {})).body, done.body);
    // The original is replaced by the normalised copy.
    assert.deepEqual(await objectsOf(userId), [`uploads/${userId}/validated/${uploadId}`]);

    const detected = await c.post('/v1/faces/detect', { uploadId });
    assert.equal(detected.status, 200, JSON.stringify(detected.body));
    assert.equal(detected.body.faceCount, 6);
    assert.deepEqual([detected.body.imageWidth, detected.body.imageHeight], [meta.width, meta.height]);
  });

  it('strips EXIF, GPS included, from the stored copy', async () => {
    const c = await login();
    const bytes = await jpegWithGps(120, 80);
    assert.ok(hasGpsTag((await sharp(bytes).metadata()).exif!), 'the input carries a GPS IFD');

    const uploadId = await postUpload(c, bytes, 'image/jpeg');
    const done = await c.post(`/v1/uploads/${uploadId}/complete`);
    assert.equal(done.body.status, 'validated');
    const stored = await storedCopy(c.session!.userId, uploadId);
    assert.equal((await sharp(stored).metadata()).exif, undefined);
    assert.equal(stored.includes(Buffer.from('Exif\0\0', 'latin1')), false);
  });

  const rejected: [string, () => Promise<Buffer>, ContentType, string][] = [
    [
      'a text file declared image/jpeg',
      async () => Buffer.from('just some text, not a JPEG\n'),
      'image/jpeg',
      'NOT_AN_IMAGE',
    ],
    [
      'a truncated JPEG',
      async () => {
        const whole = await fixture('misc/faces.jpg');
        return whole.subarray(0, Math.floor(whole.length * 0.6));
      },
      'image/jpeg',
      'UNDECODABLE',
    ],
    ['a declared PNG that is really a JPEG', () => fixture('misc/faces.jpg'), 'image/png', 'TYPE_MISMATCH'],
  ];
  for (const [what, make, contentType, reason] of rejected) {
    it(`rejects ${what} (${reason}) and removes it from the bucket`, async () => {
      const c = await login();
      const userId = c.session!.userId;
      const uploadId = await postUpload(c, await make(), contentType);
      assert.deepEqual(await settledUpload(c, uploadId), { uploadId, status: 'rejected', reason });

      const done = await c.post(`/v1/uploads/${uploadId}/complete`);
      assert.equal(done.status, 200);
      assert.deepEqual(done.body, { uploadId, status: 'rejected', reason });
      assert.deepEqual(await objectsOf(userId), []);

      const detect = await c.post('/v1/faces/detect', { uploadId });
      assert.equal(detect.status, 422);
      assert.equal(detect.body.error.code, 'UPLOAD_REJECTED');
      assert.equal(detect.body.error.details.reason, reason);
    });
  }

  it('complete before the file was sent: 409 UPLOAD_INCOMPLETE; using it meanwhile: 409 UPLOAD_NOT_VALIDATED', async () => {
    const c = await login();
    const created = await c.post('/v1/uploads', { contentType: 'image/png', size: 1000 });
    const early = await c.post(`/v1/uploads/${created.body.uploadId}/complete`);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'UPLOAD_INCOMPLETE');
    const detect = await c.post('/v1/faces/detect', { uploadId: created.body.uploadId });
    assert.equal(detect.status, 409);
    assert.equal(detect.body.error.code, 'UPLOAD_NOT_VALIDATED');
  });
});

describe('multipart upload', () => {
  it('interrupted after part 1, resumes from /parts and completes with the same bytes', async () => {
    const c = await login();
    const userId = c.session!.userId;
    // Incompressible pixels, so the PNG is over 10 MiB: 3 parts of 5 MiB.
    const bytes = await sharp(randomBytes(2048 * 2048 * 3), {
      raw: { width: 2048, height: 2048, channels: 3 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    assert.ok(bytes.length > 10 * 1024 * 1024);

    const created = await c.post('/v1/uploads', {
      contentType: 'image/png',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.method, 'MULTIPART');
    const { uploadId, partSize } = created.body;
    assert.equal(partSize, 5 * 1024 * 1024);
    assert.deepEqual(
      created.body.parts.map((p: { partNumber: number }) => p.partNumber),
      [1, 2, 3],
    );
    const part = (n: number) => bytes.subarray((n - 1) * partSize, n * partSize);

    const etag1 = await putPart(created.body.parts[0].url, part(1));
    // The client stops here. Later it asks what S3 holds.
    const early = await c.post(`/v1/uploads/${uploadId}/complete`);
    assert.equal(early.status, 409);
    assert.deepEqual(early.body.error.details, { missingParts: [2, 3] });

    const parts = await c.get(`/v1/uploads/${uploadId}/parts`);
    assert.equal(parts.status, 200);
    assert.deepEqual(parts.body.parts, [{ partNumber: 1, etag: etag1, size: partSize }]);
    assert.deepEqual(
      parts.body.missing.map((p: { partNumber: number }) => p.partNumber),
      [2, 3],
    );
    for (const { partNumber, url } of parts.body.missing) await putPart(url, part(partNumber));

    const done = await c.post(`/v1/uploads/${uploadId}/complete`, {});
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'validated');
    assert.equal(done.body.sha256, sha256(bytes));
    assert.equal(done.body.size, bytes.length);
    assert.deepEqual([done.body.width, done.body.height, done.body.format], [2048, 2048, 'png']);
    // The stored copy holds the very same pixels.
    const stored = await storedCopy(userId, uploadId);
    assert.ok((await sharp(stored).raw().toBuffer()).equals(await sharp(bytes).raw().toBuffer()));
  });

  it('DELETE aborts: the parts, the record and any object go', async () => {
    const c = await login();
    const userId = c.session!.userId;
    const size = 11 * 1024 * 1024;
    const created = await c.post('/v1/uploads', { contentType: 'image/jpeg', size });
    await putPart(created.body.parts[0].url, randomBytes(5 * 1024 * 1024));
    const { uploadId } = created.body;

    const removed = await c.delete(`/v1/uploads/${uploadId}`);
    assert.equal(removed.status, 204);
    assert.equal((await c.get(`/v1/uploads/${uploadId}`)).status, 404);
    assert.equal((await c.get(`/v1/uploads/${uploadId}/parts`)).status, 404);
    assert.deepEqual(await objectsOf(userId), []);
  });
});

describe('one image, either route', () => {
  it('enrolling a file inline and then as an upload names the same face (200, same faceId)', async () => {
    const c = await login();
    const bytes = await fixture('penny/penny1.png');
    const { personId } = (await c.post('/v1/persons', { consent: CONSENT, name: 'Penny' })).body;
    const inline = await c.post(`/v1/persons/${personId}/faces`, { image: bytes.toString('base64') });
    assert.equal(inline.status, 201, JSON.stringify(inline.body));

    const uploadId = await postUpload(c, bytes, 'image/png');
    assert.equal((await c.post(`/v1/uploads/${uploadId}/complete`)).body.status, 'validated');
    const uploaded = await c.post(`/v1/persons/${personId}/faces`, { uploadId });
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.faceId, inline.body.faceId);
    assert.equal((await c.get(`/v1/persons/${personId}`)).body.faceCount, 1);
  });
});

describe('ownership and validation', () => {
  it("another user's uploadId answers 404 everywhere", async () => {
    const [alice, mallory] = await Promise.all([login(), login()]);
    const uploadId = await postUpload(alice, await fixture('misc/face1.png'), 'image/png');
    await alice.post(`/v1/uploads/${uploadId}/complete`);

    const attempts = [
      mallory.get(`/v1/uploads/${uploadId}`),
      mallory.get(`/v1/uploads/${uploadId}/parts`),
      mallory.post(`/v1/uploads/${uploadId}/complete`),
      mallory.delete(`/v1/uploads/${uploadId}`),
      mallory.post('/v1/faces/detect', { uploadId }),
    ];
    for (const res of await Promise.all(attempts)) {
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    }
    assert.equal((await alice.get(`/v1/uploads/${uploadId}`)).body.status, 'validated');
  });

  it('refuses other content types, bad sizes and hashes: 400 naming the fields; too large: 413', async () => {
    const c = await login();
    const bad = await c.post('/v1/uploads', { contentType: 'image/gif', size: -1, sha256: 'xyz' });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['contentType', 'sha256', 'size']);
    const large = await c.post('/v1/uploads', { contentType: 'image/jpeg', size: 10 * 1024 ** 3 });
    assert.equal(large.status, 413);
    assert.equal(large.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('an unknown or malformed uploadId is 404', async () => {
    const c = await login();
    for (const id of [`u${'0'.repeat(32)}`, 'not-an-upload']) {
      assert.equal((await c.get(`/v1/uploads/${id}`)).status, 404);
    }
  });
});
