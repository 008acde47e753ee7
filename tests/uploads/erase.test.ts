import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ListObjectsV2Command, ListPartsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FacegateClient } from '../../shared/client/client.ts';
import { eraseUploads } from '../../shared/uploads/erase.ts';
import { apiEnv, localS3, urls } from '../support/stack.ts';

/** eraseUploads (part of DELETE /v1/me/data) against the stack, on uploads made through the API. */

const origin = new URL(urls.api).origin;

const objectsOf = async (userId: string) =>
  (await localS3().send(new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: `uploads/${userId}/` })))
    .Contents ?? [];

describe('eraseUploads', () => {
  it('removes every upload of the user, whatever its state, and leaves other users alone', async () => {
    const [c, other] = await Promise.all([
      FacegateClient.login(origin, `test:erase-${randomUUID()}`),
      FacegateClient.login(origin, `test:erase-other-${randomUUID()}`),
    ]);
    const userId = c.session!.userId;
    const bucket = apiEnv.BUCKET_NAME;

    // Validated.
    const png = await readFile(new URL('../fixtures/faces/misc/face1.png', import.meta.url));
    const validated = (await c.post('/v1/uploads', { contentType: 'image/png', size: png.length })).body
      .uploadId;
    await localS3().send(
      new PutObjectCommand({ Bucket: bucket, Key: `uploads/${userId}/${validated}`, Body: png }),
    );
    assert.equal((await c.post(`/v1/uploads/${validated}/complete`)).body.status, 'validated');
    // Multipart, one part sent.
    const multipart = (await c.post('/v1/uploads', { contentType: 'image/jpeg', size: 12 * 1024 * 1024 }))
      .body;
    await fetch(multipart.parts[0].url, { method: 'PUT', body: new Uint8Array(5 * 1024 * 1024) });
    const multipartId = new URL(multipart.parts[0].url).searchParams.get('uploadId')!;
    // Pending, nothing sent; and someone else's.
    const pending = (await c.post('/v1/uploads', { contentType: 'image/webp', size: 100 })).body.uploadId;
    const theirs = (await other.post('/v1/uploads', { contentType: 'image/webp', size: 100 })).body.uploadId;

    await eraseUploads(userId);

    for (const id of [validated, multipart.uploadId, pending]) {
      assert.equal((await c.get(`/v1/uploads/${id}`)).status, 404, id);
    }
    assert.deepEqual(await objectsOf(userId), []);
    await assert.rejects(
      localS3().send(
        new ListPartsCommand({
          Bucket: bucket,
          Key: `uploads/${userId}/${multipart.uploadId}`,
          UploadId: multipartId,
        }),
      ),
      { name: 'NoSuchUpload' },
    );
    assert.equal((await other.get(`/v1/uploads/${theirs}`)).status, 200);
    // Idempotent.
    await eraseUploads(userId);
  });
});
