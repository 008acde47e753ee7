import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { invokeFunction } from '../../scripts/stack/invoke.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { apiEnv, localDynamoDB, localS3, urls } from '../support/stack.ts';

/**
 * Upload retention on the local stack, where neither s3rver nor dynalite expires anything: the
 * scheduled `uploadsSweep` function (which the stack's scheduler invokes every minute) deletes an
 * upload's objects and record once its retention ended, and leaves younger uploads alone.
 */

const origin = new URL(urls.api).origin;

const objectsOf = async (userId: string) =>
  (
    (
      await localS3().send(
        new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: `uploads/${userId}/` }),
      )
    ).Contents ?? []
  ).map((o) => o.Key!);

/** Moves the record's retention end (DynamoDB TTL, epoch seconds) to `epochSeconds`. */
const setRetentionEnd = (userId: string, uploadId: string, epochSeconds: number) =>
  localDynamoDB().send(
    new UpdateItemCommand({
      TableName: apiEnv.TABLE_NAME,
      Key: { pk: { S: `USER#${userId}` }, sk: { S: `UPLOAD#${uploadId}` } },
      UpdateExpression: 'SET #ttl = :ttl',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':ttl': { N: String(epochSeconds) } },
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );

describe('upload retention', () => {
  it('the sweep deletes uploads past UPLOAD_RETENTION_HOURS, objects and record, and keeps the rest', async () => {
    const c = await FacegateClient.login(origin, `test:retention-${randomUUID()}`);
    const userId = c.session!.userId;
    const png = await readFile(new URL('../fixtures/faces/misc/face1.png', import.meta.url));
    const upload = async () => {
      const { uploadId } = (await c.post('/v1/uploads', { contentType: 'image/png', size: png.length })).body;
      await localS3().send(
        new PutObjectCommand({ Bucket: apiEnv.BUCKET_NAME, Key: `uploads/${userId}/${uploadId}`, Body: png }),
      );
      assert.equal((await c.post(`/v1/uploads/${uploadId}/complete`)).body.status, 'validated');
      return uploadId as string;
    };
    const [old, young] = [await upload(), await upload()];

    // The record states its retention end, 24 h (the default) after creation.
    const hours = (Number(await retentionEndOf(userId, young)) - Date.now() / 1000) / 3600;
    assert.ok(hours > 23.9 && hours <= 24, `retention ends in ${hours.toFixed(2)} h`);

    await setRetentionEnd(userId, old, Math.floor(Date.now() / 1000) - 1);
    assert.equal((await c.get(`/v1/uploads/${old}`)).status, 404, 'past retention: hidden at once');

    const result = (await invokeFunction('uploadsSweep')) as { checked: number; removed: number };
    assert.ok(result.removed >= 1, JSON.stringify(result));
    assert.deepEqual(await objectsOf(userId), [`uploads/${userId}/validated/${young}`]);
    assert.equal(await retentionEndOf(userId, old), undefined, 'the record is gone');
    assert.equal((await c.get(`/v1/uploads/${young}`)).body.status, 'validated');
  });
});

async function retentionEndOf(userId: string, uploadId: string): Promise<string | undefined> {
  const out = await localDynamoDB().send(
    new GetItemCommand({
      TableName: apiEnv.TABLE_NAME,
      Key: { pk: { S: `USER#${userId}` }, sk: { S: `UPLOAD#${uploadId}` } },
      ConsistentRead: true,
    }),
  );
  return out.Item?.ttl?.N;
}
