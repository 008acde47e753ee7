import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { config } from '../config.ts';
import { MIN_PART_SIZE, POST_MAX_BYTES, UPLOAD_URL_TTL_SECONDS, createUpload, partLayout } from './create.ts';
import { findRecord } from './records.ts';

// Runs against the local stack (DynamoDB for the records; presigning needs no S3 call). s3rver ignores
// POST policies, so what the policy demands of S3 in AWS is checked here, on the policy itself.

const user = () => `u_test_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

function decodePolicy(fields: Record<string, string>) {
  return JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

describe('presigned POST uploads (up to 10 MiB)', () => {
  it('pin the key under the owner prefix, the content type and the exact length', async () => {
    const userId = user();
    const size = 123_456;
    const ticket = await createUpload(userId, { contentType: 'image/png', size });
    assert.equal(ticket.method, 'POST');
    assert.match(ticket.uploadId, /^u[0-9a-f]{32}$/);
    if (ticket.method !== 'POST') return;
    const key = `uploads/${userId}/${ticket.uploadId}`;
    assert.equal(ticket.fields.key, key);
    assert.equal(ticket.fields['Content-Type'], 'image/png');
    assert.equal(new URL(ticket.url).pathname, `/${config().BUCKET_NAME}`);

    const policy = decodePolicy(ticket.fields);
    const has = (condition: unknown) =>
      policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify(condition));
    assert.ok(has({ key }), 'the key is fixed');
    assert.ok(has({ bucket: config().BUCKET_NAME }), 'the bucket is fixed');
    assert.ok(has({ 'Content-Type': 'image/png' }), 'the content type is fixed');
    assert.ok(has(['content-length-range', size, size]), 'the length is fixed');
    assert.ok(
      !policy.conditions.some((c) => Array.isArray(c) && c[0] === 'starts-with'),
      'no open-ended field',
    );
    // Every other form field is covered by a condition too (S3 refuses fields the policy does not name).
    for (const [name, value] of Object.entries(ticket.fields)) {
      if (name !== 'Policy' && name !== 'X-Amz-Signature') assert.ok(has({ [name]: value }), name);
    }
    const ttl = (Date.parse(policy.expiration) - Date.now()) / 1000;
    assert.ok(
      ttl > UPLOAD_URL_TTL_SECONDS - 60 && ttl <= UPLOAD_URL_TTL_SECONDS,
      `policy expires in ${ttl} s`,
    );

    const record = await findRecord(userId, ticket.uploadId);
    assert.equal(record?.status, 'pending');
    assert.equal(record?.size, size);
  });

  it('keep a declared SHA-256 for validation', async () => {
    const userId = user();
    const sha256 = 'ab'.repeat(32);
    const ticket = await createUpload(userId, { contentType: 'image/jpeg', size: 10, sha256 });
    assert.equal((await findRecord(userId, ticket.uploadId))?.sha256, sha256);
  });
});

describe('multipart uploads (above 10 MiB)', () => {
  it('hand out one presigned PUT URL per part of at least 5 MiB', async () => {
    const userId = user();
    const size = POST_MAX_BYTES + 1;
    const ticket = await createUpload(userId, { contentType: 'image/jpeg', size });
    assert.equal(ticket.method, 'MULTIPART');
    if (ticket.method !== 'MULTIPART') return;
    assert.equal(ticket.partSize, MIN_PART_SIZE);
    assert.deepEqual(
      ticket.parts.map((p) => p.partNumber),
      [1, 2, 3],
    );
    for (const { partNumber, url } of ticket.parts) {
      const u = new URL(url);
      assert.equal(u.pathname, `/${config().BUCKET_NAME}/uploads/${userId}/${ticket.uploadId}`);
      assert.equal(u.searchParams.get('partNumber'), String(partNumber));
      assert.ok(u.searchParams.get('uploadId'));
      assert.equal(u.searchParams.get('X-Amz-Expires'), String(UPLOAD_URL_TTL_SECONDS));
    }
  });

  it('size parts so that no upload needs more than 10,000', () => {
    assert.deepEqual(partLayout(POST_MAX_BYTES + 1), { partSize: MIN_PART_SIZE, partCount: 3 });
    const huge = 100 * 1024 ** 3;
    const { partSize, partCount } = partLayout(huge);
    assert.ok(partCount <= 10_000 && partSize * partCount >= huge);
  });

  it('refuse more than the configured maximum: 413', async () => {
    await assert.rejects(
      createUpload(user(), { contentType: 'image/webp', size: config().UPLOAD_MAX_BYTES + 1 }),
      (e: { status: number; code: string; details: object }) =>
        e.status === 413 && e.code === 'PAYLOAD_TOO_LARGE' && 'maxBytes' in e.details,
    );
  });
});
