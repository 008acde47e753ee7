import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { sha256Hex } from '../../examples/miniprogram/core/sha256.ts';
import { powChallengeOf, solvePow } from './pow-solver.ts';

const hmacKey = 'test-key';

test('solutions found with Web Crypto verify with altcha-lib', async () => {
  const challenge = await createChallenge({ hmacKey, maxnumber: 5000, params: { scope: 'login' } });
  const header = await solvePow(challenge);
  assert.equal(
    header,
    Buffer.from(Buffer.from(header, 'base64').toString()).toString('base64'),
    'plain base64',
  );
  assert.equal(await verifySolution(header, hmacKey), true);
});

test("the mini-program's pure-JS SHA-256 finds the same number", async () => {
  const challenge = await createChallenge({ hmacKey, maxnumber: 5000, number: 4321 });
  const header = await solvePow(challenge, sha256Hex);
  assert.equal(JSON.parse(Buffer.from(header, 'base64').toString()).number, 4321);
  assert.equal(await verifySolution(header, hmacKey), true);
});

test('a challenge without a solution fails instead of looping; only a 428 POW_REQUIRED carries one', async () => {
  const challenge = await createChallenge({ hmacKey, maxnumber: 50, number: 40 });
  await assert.rejects(solvePow({ ...challenge, maxnumber: 10 }), /no solution/);
  const body = { error: { code: 'POW_REQUIRED', details: { challenge } } };
  assert.deepEqual(powChallengeOf(428, body), challenge);
  assert.equal(powChallengeOf(403, body), undefined);
});
