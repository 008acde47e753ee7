import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urls, withServiceStopped } from '../support/stack.ts';
import { FacegateClient } from '../../shared/client/client.ts';

// Serial: it stops shared services while it runs.
for (const [service, dependency] of [
  ['redis-rest', 'redis'],
  ['dynamodb', 'dynamodb'],
  ['s3', 's3'],
] as const) {
  test(`health answers 503 naming ${dependency} when it is down`, async () => {
    await withServiceStopped(service, async () => {
      const res = await fetch(`${urls.api}/health`);
      assert.equal(res.status, 503);
      const body = await res.json();
      assert.equal(body.status, 'degraded');
      assert.equal(body.dependencies[dependency], 'down');
      for (const [name, state] of Object.entries(body.dependencies)) {
        if (name !== dependency) assert.equal(state, 'ok', name);
      }
    });
    assert.equal((await fetch(`${urls.api}/health`)).status, 200);
  });
}

test('redis-server down behind the REST endpoint: signed requests answer 503 naming redis, then recover', async () => {
  const client = await FacegateClient.login(new URL(urls.api).origin, 'test:redis-hang');
  // The REST endpoint stays up and reports its server's failure; the nonce check must fail closed.
  await withServiceStopped('redis', async () => {
    const res = await client.get('/v1/me');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'DEPENDENCY_UNAVAILABLE');
    assert.equal(res.body.error.details.dependency, 'redis');
  });
  assert.equal((await client.get('/v1/me')).status, 200);
});
