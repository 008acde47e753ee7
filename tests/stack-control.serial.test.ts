import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { apiEnv, localDynamoDB, localRedis, stackStatus, urls, withServiceStopped } from './support/stack.ts';

// Proves the helper the health tests rely on: one service goes down, then comes back ready.
// Serial (runs alone): it takes shared services down.

test('withServiceStopped takes the Redis REST endpoint down and brings it back', async () => {
  await withServiceStopped('redis-rest', async () => {
    const status = await stackStatus();
    assert.equal(status.find((service) => service.name === 'redis-rest')?.state, 'stopped');
    await assert.rejects(fetch(urls.redisRest, { method: 'POST', body: '["PING"]' }), TypeError);
  });
  assert.equal(await localRedis().ping(), 'PONG');
});

test('the table is still there after DynamoDB restarts', async () => {
  await withServiceStopped('dynamodb', async () => {
    await assert.rejects(fetch(urls.dynamodb), TypeError);
  });
  const dynamodb = localDynamoDB();
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: apiEnv.TABLE_NAME }));
  assert.equal(Table?.TableStatus, 'ACTIVE');
  dynamodb.destroy();
});
