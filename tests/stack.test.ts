import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketCorsCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { bucketCorsRules, tableDefinition } from '../scripts/stack/resources.ts';
import { apiEnv, localDynamoDB, localRedis, localS3, stackStatus, urls } from './support/stack.ts';

// Smoke test of the local stack itself: every emulator answers and holds what the API expects.

describe('local stack', () => {
  test('the control endpoint lists the services, the emulators running', async () => {
    const status = await stackStatus();
    for (const name of ['redis', 'redis-rest', 's3', 'dynamodb', 'wechat'] as const) {
      assert.equal(status.find((service) => service.name === name)?.state, 'running', name);
    }
  });

  test('Redis answers through the Upstash REST emulator', async () => {
    const redis = localRedis();
    assert.equal(await redis.ping(), 'PONG');
    const key = `stack-test:${process.pid}`;
    await redis.set(key, 'value', { ex: 60 });
    assert.equal(await redis.get(key), 'value');
    await redis.del(key);
  });

  test('the REST emulator rejects a wrong token', async () => {
    const response = await fetch(urls.redisRest, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token' },
      body: JSON.stringify(['PING']),
    });
    assert.equal(response.status, 401);
  });

  test('the bucket exists and lets browsers upload', async () => {
    const s3 = localS3();
    await s3.send(new HeadBucketCommand({ Bucket: apiEnv.BUCKET_NAME }));
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: apiEnv.BUCKET_NAME }));
    assert.deepEqual(cors.CORSRules?.[0]?.AllowedMethods?.sort(), bucketCorsRules[0]?.AllowedMethods?.sort());

    const preflight = await fetch(`${urls.s3}/${apiEnv.BUCKET_NAME}/some/key.jpg`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8080',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    s3.destroy();
  });

  test('the table exists with the shared key schema and index', async () => {
    const dynamodb = localDynamoDB();
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: apiEnv.TABLE_NAME }));
    const expected = tableDefinition(apiEnv.TABLE_NAME);
    assert.equal(Table?.TableStatus, 'ACTIVE');
    assert.deepEqual(Table?.KeySchema, expected.KeySchema);
    assert.deepEqual(
      Table?.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
        IndexName,
        KeySchema,
        Projection,
      })),
      expected.GlobalSecondaryIndexes,
    );
    dynamodb.destroy();
  });
});

describe('fake WeChat jscode2session', () => {
  async function code2Session(params: Record<string, string>): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({
      appid: apiEnv.WECHAT_APP_ID,
      secret: apiEnv.WECHAT_APP_SECRET,
      grant_type: 'authorization_code',
      ...params,
    });
    const response = await fetch(`${urls.wechat}/sns/jscode2session?${query}`);
    // WeChat reports errors in the body, always with HTTP 200.
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }

  test('code test:<name> yields openid <name> and a fresh 16-byte session key', async () => {
    const first = await code2Session({ js_code: 'test:alice' });
    const second = await code2Session({ js_code: 'test:alice' });
    assert.equal(first.openid, 'alice');
    assert.equal(Buffer.from(String(first.session_key), 'base64').length, 16);
    assert.notEqual(first.session_key, second.session_key);
    assert.equal(first.errcode, undefined);
  });

  for (const [code, errcode] of [
    ['not-a-test-code', 40029],
    ['test:', 40029],
    ['rate-limit', 45011],
    ['risky', 40226],
    ['busy', -1],
    ['used', 40163],
    ['test-error:45011', 45011],
  ] as const) {
    test(`code "${code}" answers errcode ${errcode}`, async () => {
      const reply = await code2Session({ js_code: code });
      assert.equal(reply.errcode, errcode);
      assert.equal(typeof reply.errmsg, 'string');
      assert.deepEqual(Object.keys(reply).sort(), ['errcode', 'errmsg']);
    });
  }

  test('a wrong app id or secret is refused like WeChat does', async () => {
    assert.equal((await code2Session({ js_code: 'test:alice', appid: 'wx-other' })).errcode, 40013);
    assert.equal((await code2Session({ js_code: 'test:alice', secret: 'wrong' })).errcode, 40125);
    assert.equal((await code2Session({ js_code: '' })).errcode, 41008);
  });
});
