import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESENCE_SHARDS, onlineShardPk, presenceIndexKey, presenceShard } from './keys.ts';

test('a site keeps its presence shard, and sites spread over every shard', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `site_${i.toString(36).padStart(20, '0')}`);
  const perShard = new Map<number, number>();
  for (const id of ids) {
    const shard = presenceShard(id);
    assert.ok(Number.isInteger(shard) && shard >= 0 && shard < PRESENCE_SHARDS, `${id}: ${shard}`);
    assert.equal(presenceShard(id), shard);
    perShard.set(shard, (perShard.get(shard) ?? 0) + 1);
  }
  const even = ids.length / PRESENCE_SHARDS;
  for (let shard = 0; shard < PRESENCE_SHARDS; shard++) {
    const count = perShard.get(shard) ?? 0;
    assert.ok(count > even * 0.7 && count < even * 1.3, `shard ${shard}: ${count} of ${ids.length}`);
  }
});

test('the sweep cutoff selects exactly the sites last seen before it', () => {
  const cutoff = '2026-01-01T00:01:30.000Z';
  const sortKey = (at: string) => presenceIndexKey('site_x', at).gsi1sk;
  assert.ok(sortKey('2026-01-01T00:01:29.999Z') < cutoff);
  assert.ok(sortKey('2025-12-31T23:59:59.000Z') < cutoff);
  assert.ok(!(sortKey(cutoff) < cutoff), 'seen at the cutoff itself: not silent yet');
  assert.ok(!(sortKey('2026-01-01T00:01:30.001Z') < cutoff));
  assert.equal(presenceIndexKey('site_x', cutoff).gsi1pk, onlineShardPk(presenceShard('site_x')));
});
