import { assertAppError, conditionFailed, mockBucket, mockTable, sent, serviceError } from '../store/testing/fakes.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import type { UploadRecord } from './records.ts';
import { validateUpload } from './validate.ts';

/**
 * Validation racing a delete (DELETE /v1/uploads/{id}, or erasure): the S3 notification and complete may
 * run while the record goes. Deterministic only with mocks: the stack tests cannot time the race.
 */

const table = mockTable();
const bucket = mockBucket();
const uploadId = `u${'a'.repeat(32)}`;

/** The record as a run read it, before the race. */
const pendingRecord = (size: number): UploadRecord => ({
  pk: 'USER#u1',
  sk: `UPLOAD#${uploadId}`,
  uploadId,
  status: 'pending',
  method: 'POST',
  contentType: 'image/png',
  size,
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});

test('an upload deleted while it was validated: 404, and neither the copy nor the original stays', async () => {
  const bytes = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const seen = pendingRecord(bytes.length);
  bucket.on(GetObjectCommand).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(bytes) },
  } as never);
  bucket.on(PutObjectCommand).resolves({});
  bucket.on(DeleteObjectCommand).resolves({});
  table.on(UpdateCommand).rejects(conditionFailed()); // no longer pending: the record is gone...
  table.on(GetCommand).resolves({}); // ...and reads as absent

  await assertAppError(validateUpload('u1', seen), { code: 'NOT_FOUND', status: 404 });
  const written = sent(bucket, PutObjectCommand).map((c) => c.Key);
  assert.deepEqual(written, [`uploads/u1/validated/${uploadId}`]);
  assert.deepEqual(
    sent(bucket, DeleteObjectCommand)
      .map((c) => c.Key)
      .sort(),
    [`uploads/u1/${uploadId}`, `uploads/u1/validated/${uploadId}`],
  );
});

test('the object already gone because a concurrent run settled the upload: its outcome, not "incomplete"', async () => {
  const seen = pendingRecord(100);
  const settled = {
    ...seen,
    status: 'validated',
    width: 32,
    height: 32,
    format: 'png',
    receivedSha256: 'ab',
  };
  bucket.on(GetObjectCommand).rejects(serviceError('NoSuchKey', 404));
  table.on(GetCommand).resolves({ Item: settled });
  assert.deepEqual(await validateUpload('u1', seen), settled);
  assert.deepEqual(sent(bucket, PutObjectCommand), [], 'nothing validated twice');
});
