import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findActions, isStatic, shows, type Reading } from './actions.ts';

const neutral: Reading = { yaw: 2, pitch: 3, eyes: 0.3, mouth: 0.05 };
const at = (change: Partial<Reading>): Reading => ({ ...neutral, ...change });

test('each action fires on its own movement and not on a steady face', () => {
  const base = { ...neutral };
  assert.ok(shows('TURN_LEFT', at({ yaw: 25 }), base));
  assert.ok(!shows('TURN_LEFT', at({ yaw: -25 }), base), 'the other way is TURN_RIGHT');
  assert.ok(shows('TURN_RIGHT', at({ yaw: -20 }), base));
  assert.ok(shows('NOD', at({ pitch: 18 }), base));
  assert.ok(shows('BLINK', at({ eyes: 0.1 }), base));
  assert.ok(shows('BLINK', at({ eyes: 0.21 }), base), 'a closed eye as FaceMesh reads it (0.7 of open)');
  assert.ok(!shows('BLINK', at({ eyes: 0.25 }), base), 'slightly narrowed eyes are not a blink');
  const narrow = { ...neutral, eyes: 0.18 };
  assert.ok(!shows('BLINK', { ...narrow, eyes: 0.13 }, narrow), 'small eyes need the absolute drop too');
  assert.ok(shows('OPEN_MOUTH', at({ mouth: 0.55 }), base));
  assert.ok(!shows('OPEN_MOUTH', at({ mouth: 0.3 }), base), 'talking is not an open mouth');
  const jitter = at({ yaw: 6, pitch: 7, eyes: 0.27, mouth: 0.1 });
  for (const action of ['TURN_LEFT', 'TURN_RIGHT', 'NOD', 'BLINK', 'OPEN_MOUTH'] as const)
    assert.ok(!shows(action, jitter, base), `${action} on jitter`);
});

test('actions are found in the asked order, each after the previous one', () => {
  const frames = [neutral, neutral, at({ yaw: 24 }), neutral, at({ eyes: 0.08 }), neutral];
  const ok = findActions(['TURN_LEFT', 'BLINK'], frames);
  assert.equal(ok.inOrder, true);
  assert.deepEqual(
    ok.actions.map((a) => a.frame),
    [2, 4],
  );
  const reversed = findActions(['BLINK', 'TURN_LEFT'], frames);
  assert.equal(reversed.inOrder, false);
  assert.deepEqual(
    reversed.actions.map((a) => [a.seen, a.frame]),
    [
      [true, 4],
      [true, 2],
    ],
  );
  const missing = findActions(['TURN_LEFT', 'OPEN_MOUTH'], frames);
  assert.deepEqual(
    missing.actions.map((a) => a.seen),
    [true, false],
  );
  assert.equal(findActions(['NOD'], [null, null]).actions[0]!.seen, false);
});

test('a burst without non-rigid motion is static', () => {
  assert.ok(isStatic([neutral, at({ yaw: 3 }), at({ eyes: 0.32 }), null]));
  assert.ok(!isStatic([neutral, at({ yaw: 20 })]));
  assert.ok(!isStatic([neutral, at({ eyes: 0.1 })]));
  assert.ok(isStatic([neutral]), 'one face is no motion');
});
