import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  BUCKET,
  PUBLIC_S3_ENDPOINT,
  assertRefused,
  assertUnavailable,
  connectionRefused,
  sent,
  serviceError,
  mockBucket,
} from './testing/fakes.ts';
import { objectStore } from './objects.ts';

const bucket = mockBucket();
const KEY = 'uploads/u1/up1';
const slowDown = () => serviceError('SlowDown', 503);

/** A GetObject body as the SDK hands it over (only the method the store uses). */
const body = (text: string) =>
  ({
    transformToByteArray: async () => new TextEncoder().encode(text),
  }) as unknown as GetObjectCommandOutput['Body'];

test('get reads the object from the configured bucket; a missing one is undefined, not an error', async () => {
  bucket
    .on(GetObjectCommand)
    .resolvesOnce({ Body: body('jpeg bytes') })
    .rejectsOnce(serviceError('NoSuchKey', 404));
  assert.deepEqual(await objectStore.get(KEY), Buffer.from('jpeg bytes'));
  assert.equal(await objectStore.get(KEY), undefined);
  assert.deepEqual(sent(bucket, GetObjectCommand), [
    { Bucket: BUCKET, Key: KEY },
    { Bucket: BUCKET, Key: KEY },
  ]);
});

test('S3 outages become 503 naming s3; a request S3 refuses (403) becomes 500', async () => {
  bucket
    .on(GetObjectCommand)
    .rejectsOnce(slowDown())
    .rejectsOnce(connectionRefused())
    .rejectsOnce(serviceError('AccessDenied', 403));
  await assertUnavailable(objectStore.get(KEY), 's3');
  await assertUnavailable(objectStore.get(KEY), 's3');
  await assertRefused(objectStore.get(KEY));
  bucket.on(PutObjectCommand).rejects(slowDown());
  await assertUnavailable(objectStore.put(KEY, Buffer.from('x'), 'image/jpeg'), 's3');
  assert.deepEqual(sent(bucket, PutObjectCommand), [
    { Bucket: BUCKET, Key: KEY, Body: Buffer.from('x'), ContentType: 'image/jpeg' },
  ]);
});

test('deleteMany sends at most 1000 keys per request, quietly', async () => {
  bucket.on(DeleteObjectsCommand).resolves({});
  const keys = Array.from({ length: 2500 }, (_, i) => `k${i}`);
  await objectStore.deleteMany(keys);
  const requests = sent(bucket, DeleteObjectsCommand);
  assert.deepEqual(
    requests.map((r) => [r.Bucket, r.Delete!.Quiet, r.Delete!.Objects!.length]),
    [
      [BUCKET, true, 1000],
      [BUCKET, true, 1000],
      [BUCKET, true, 500],
    ],
  );
  assert.deepEqual(
    requests.flatMap((r) => r.Delete!.Objects!.map((o) => o.Key)),
    keys,
  );
});

test('deletePrefix lists page after page (continuation tokens) and deletes each page', async () => {
  const modified = new Date('2024-05-01T00:00:00Z');
  bucket
    .on(ListObjectsV2Command)
    .resolvesOnce({
      Contents: [{ Key: 'users/u1/a', LastModified: modified }, {}],
      NextContinuationToken: 't1',
    })
    .resolvesOnce({ Contents: [{ Key: 'users/u1/b' }] });
  bucket.on(DeleteObjectsCommand).resolves({});
  await objectStore.deletePrefix('users/u1/');
  assert.deepEqual(sent(bucket, ListObjectsV2Command), [
    { Bucket: BUCKET, Prefix: 'users/u1/', ContinuationToken: undefined },
    { Bucket: BUCKET, Prefix: 'users/u1/', ContinuationToken: 't1' },
  ]);
  assert.deepEqual(
    sent(bucket, DeleteObjectsCommand).map((r) => r.Delete!.Objects),
    [[{ Key: 'users/u1/a' }], [{ Key: 'users/u1/b' }]],
  );
});

test('heldParts follows part-number markers; an upload S3 no longer knows is undefined', async () => {
  bucket
    .on(ListPartsCommand)
    .resolvesOnce({
      Parts: [{ PartNumber: 1, ETag: '"e1"', Size: 5 }],
      IsTruncated: true,
      NextPartNumberMarker: '1',
    })
    .resolvesOnce({
      Parts: [{ PartNumber: 2, ETag: '"e2"', Size: 3 }],
      IsTruncated: false,
      NextPartNumberMarker: '2',
    })
    .rejectsOnce(serviceError('NoSuchUpload', 404));
  assert.deepEqual(await objectStore.heldParts(KEY, 'm1'), [
    { partNumber: 1, etag: '"e1"', size: 5 },
    { partNumber: 2, etag: '"e2"', size: 3 },
  ]);
  assert.equal(await objectStore.heldParts(KEY, 'm1'), undefined);
  assert.deepEqual(
    sent(bucket, ListPartsCommand).map((r) => [r.Bucket, r.Key, r.UploadId, r.PartNumberMarker]),
    [
      [BUCKET, KEY, 'm1', undefined],
      [BUCKET, KEY, 'm1', '1'],
      [BUCKET, KEY, 'm1', undefined],
    ],
  );
});

test('completeMultipart sends the parts in order and reports why S3 refused them', async () => {
  bucket
    .on(CompleteMultipartUploadCommand)
    .resolvesOnce({})
    .rejectsOnce(serviceError('NoSuchUpload', 404))
    .rejectsOnce(serviceError('InvalidPart', 400))
    .rejectsOnce(serviceError('EntityTooSmall', 400))
    .rejectsOnce(slowDown());
  const parts = [
    { partNumber: 2, etag: '"e2"' },
    { partNumber: 1, etag: '"e1"' },
  ];
  assert.equal(await objectStore.completeMultipart(KEY, 'm1', parts), 'completed');
  assert.equal(await objectStore.completeMultipart(KEY, 'm1', parts), 'unknown');
  assert.equal(await objectStore.completeMultipart(KEY, 'm1', parts), 'InvalidPart');
  assert.equal(await objectStore.completeMultipart(KEY, 'm1', parts), 'EntityTooSmall');
  await assertUnavailable(objectStore.completeMultipart(KEY, 'm1', parts), 's3');
  assert.deepEqual(sent(bucket, CompleteMultipartUploadCommand)[0], {
    Bucket: BUCKET,
    Key: KEY,
    UploadId: 'm1',
    MultipartUpload: {
      Parts: [
        { PartNumber: 1, ETag: '"e1"' },
        { PartNumber: 2, ETag: '"e2"' },
      ],
    },
  });
});

test('aborting an upload S3 no longer knows is fine; an outage is not', async () => {
  bucket
    .on(AbortMultipartUploadCommand)
    .rejectsOnce(serviceError('NoSuchUpload', 404))
    .rejectsOnce(slowDown());
  await objectStore.abortMultipart(KEY, 'm1');
  await assertUnavailable(objectStore.abortMultipart(KEY, 'm1'), 's3');
  assert.deepEqual(sent(bucket, AbortMultipartUploadCommand)[0], {
    Bucket: BUCKET,
    Key: KEY,
    UploadId: 'm1',
  });
});

test('presigned GET and part URLs name the public endpoint, the bucket, the key and the expiry', async () => {
  const url = new URL(await objectStore.presignGet(KEY, 300));
  assert.equal(url.origin, PUBLIC_S3_ENDPOINT);
  assert.equal(url.pathname, `/${BUCKET}/${KEY}`);
  assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
  assert.match(url.searchParams.get('X-Amz-Credential')!, /\/eu-west-1\/s3\/aws4_request$/);

  const [part] = await objectStore.presignParts(KEY, 'm1', [3], 600);
  const partUrl = new URL(part!.url);
  assert.equal(part!.partNumber, 3);
  assert.equal(partUrl.origin, PUBLIC_S3_ENDPOINT);
  assert.equal(partUrl.pathname, `/${BUCKET}/${KEY}`);
  assert.deepEqual(
    [
      partUrl.searchParams.get('uploadId'),
      partUrl.searchParams.get('partNumber'),
      partUrl.searchParams.get('X-Amz-Expires'),
    ],
    ['m1', '3', '600'],
  );
});

test("a presigned POST's policy pins the key, each field and the exact length", async () => {
  const post = await objectStore.presignPost(KEY, {
    fields: { 'Content-Type': 'image/jpeg' },
    size: 1234,
    expiresIn: 60,
  });
  assert.equal(post.url, `${PUBLIC_S3_ENDPOINT}/${BUCKET}`);
  assert.equal(post.fields.key, KEY);
  const policy = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString()) as {
    conditions: unknown[];
  };
  for (const condition of [
    ['content-length-range', 1234, 1234],
    { 'Content-Type': 'image/jpeg' },
    { bucket: BUCKET },
    { key: KEY },
  ]) {
    assert.ok(
      policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify(condition)),
      `policy lacks ${JSON.stringify(condition)}: ${JSON.stringify(policy.conditions)}`,
    );
  }
});
