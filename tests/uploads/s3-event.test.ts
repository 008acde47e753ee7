import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { handler } from '../../functions/uploads-s3-event.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { apiEnv, localS3, urls } from '../support/stack.ts';

/**
 * The ObjectCreated handler against the stack's s3rver and dynalite. The local S3 also delivers the
 * notification to the function itself (scripts/stack/s3-events.ts), as AWS does; the test calls the
 * handler directly as well, to control (re)delivery: validation must be idempotent under both.
 */

const origin = new URL(urls.api).origin;
const login = () => FacegateClient.login(origin, `test:s3-event-${randomUUID()}`);

/** The notification S3 sends, keys URL-encoded as S3 does. */
const objectCreated = (...keys: string[]) =>
  ({
    Records: keys.map((key) => ({
      eventName: 'ObjectCreated:Post',
      s3: {
        bucket: { name: apiEnv.BUCKET_NAME },
        object: { key: encodeURIComponent(key).replace(/%2F/g, '/') },
      },
    })),
  }) as unknown as S3Event;

const put = (key: string, body: Buffer) =>
  localS3().send(new PutObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: key, Body: body }));

const exists = (key: string) =>
  localS3()
    .send(new HeadObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: key }))
    .then(
      () => true,
      () => false,
    );

describe('uploads-s3-event', () => {
  it('validates an upload as it lands, without the client completing it; a redelivery changes nothing', async () => {
    const c = await login();
    const userId = c.session!.userId;
    const bytes = await readFile(new URL('../fixtures/faces/misc/face2.png', import.meta.url));
    const created = await c.post('/v1/uploads', { contentType: 'image/png', size: bytes.length });
    const { uploadId } = created.body;
    const key = `uploads/${userId}/${uploadId}`;
    await put(key, bytes); // as the presigned POST would

    await handler(objectCreated(key));
    const status = await c.get(`/v1/uploads/${uploadId}`);
    assert.equal(status.body.status, 'validated');
    assert.equal(await exists(key), false);
    assert.equal(await exists(`uploads/${userId}/validated/${uploadId}`), true);

    await handler(objectCreated(key));
    assert.deepEqual((await c.post(`/v1/uploads/${uploadId}/complete`)).body, status.body);
  });

  it('deletes objects at upload keys that have no pending upload; leaves other keys alone', async () => {
    const c = await login();
    const userId = c.session!.userId;
    const orphan = `uploads/${userId}/u${randomBytes(16).toString('hex')}`;
    const other = `users/${userId}/faces/p1/f1.jpg`;
    await Promise.all([put(orphan, randomBytes(64)), put(other, randomBytes(64))]);

    await handler(objectCreated(orphan, other));
    assert.equal(await exists(orphan), false);
    assert.equal(await exists(other), true);
  });

  it('a late copy sent to a settled upload is removed, the upload stays as it was', async () => {
    const c = await login();
    const userId = c.session!.userId;
    const bytes = Buffer.from('not an image');
    const created = await c.post('/v1/uploads', { contentType: 'image/jpeg', size: bytes.length });
    const { uploadId } = created.body;
    const key = `uploads/${userId}/${uploadId}`;
    await put(key, bytes);
    assert.equal((await c.post(`/v1/uploads/${uploadId}/complete`)).body.status, 'rejected');

    await put(key, await readFile(new URL('../fixtures/faces/misc/face1.png', import.meta.url)));
    await handler(objectCreated(key));
    assert.equal(await exists(key), false);
    assert.deepEqual((await c.get(`/v1/uploads/${uploadId}`)).body, {
      uploadId,
      status: 'rejected',
      reason: 'NOT_AN_IMAGE',
    });
  });
});
