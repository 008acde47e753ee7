import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUnavailable, fakeRedis, redisDown } from './testing/fakes.ts';
import { cacheStore } from './cache.ts';

test('claim is SET NX EX: true only when Redis created the key', async (t) => {
  const replies = ['OK', null];
  const commands = fakeRedis(t, () => replies.shift());
  assert.equal(await cacheStore.claim('nonce:u1:n1', 300), true);
  assert.equal(await cacheStore.claim('nonce:u1:n1', 300), false);
  assert.deepEqual(commands, [
    ['set', 'nonce:u1:n1', '1', 'nx', 'ex', 300],
    ['set', 'nonce:u1:n1', '1', 'nx', 'ex', 300],
  ]);
});

test('a counter that starts from scratch jumps to its start value', async (t) => {
  const values = new Map<string, number>([['gallery:u2:version', 41]]);
  const commands = fakeRedis(t, ([name, key, by]) => {
    const value = (values.get(String(key)) ?? 0) + (name === 'incrby' ? Number(by) : 1);
    values.set(String(key), value);
    return value;
  });
  assert.equal(await cacheStore.increment('gallery:u1:version', 1000), 1001);
  assert.equal(await cacheStore.increment('gallery:u2:version', 1000), 42);
  assert.deepEqual(commands, [
    ['incr', 'gallery:u1:version'],
    ['incrby', 'gallery:u1:version', 1000],
    ['incr', 'gallery:u2:version'],
  ]);
});

test('deleteMatching scans until the cursor returns to 0, deleting each batch it found', async (t) => {
  const scans: Record<string, [string, string[]]> = {
    '0': ['7', ['cache:u1:a', 'cache:u1:b']],
    '7': ['0', []],
  };
  const commands = fakeRedis(t, ([name, cursor]) => (name === 'scan' ? scans[String(cursor)] : 2));
  await cacheStore.deleteMatching('cache:u1:*');
  assert.deepEqual(commands, [
    ['scan', '0', 'match', 'cache:u1:*', 'count', 500],
    ['del', 'cache:u1:a', 'cache:u1:b'],
    ['scan', '7', 'match', 'cache:u1:*', 'count', 500],
  ]);
});

test('Redis out of reach is 503 naming redis; the best-effort operations shrug it off', async (t) => {
  redisDown(t);
  await assertUnavailable(cacheStore.get('k'), 'redis');
  await assertUnavailable(cacheStore.claim('k', 10), 'redis');
  assert.equal(await cacheStore.peek('k'), undefined);
  await cacheStore.offer('k', 'v', 10);
});

test('an error Redis answers is 503 naming redis too', async (t) => {
  fakeRedis(t, () => {
    throw new Error('OOM command not allowed when used memory > maxmemory');
  });
  await assertUnavailable(cacheStore.set('k', 'v', 10), 'redis');
});
