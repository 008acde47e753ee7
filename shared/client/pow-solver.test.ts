import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { createHash } from 'node:crypto';
import { powChallengeOf, solvePow, webCryptoSha256Hex } from './pow-solver.ts';
import { sha256WithPrefix } from './sha256-ascii.ts';

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

test('the prefix hasher is SHA-256 for prefixes and suffixes across block boundaries', () => {
  const node = (text: string) => createHash('sha256').update(text).digest('hex');
  for (const prefix of ['', 'a', 'p'.repeat(55), 'q'.repeat(64), 'r'.repeat(130)]) {
    const hash = sha256WithPrefix(prefix);
    for (const suffix of ['', '7', '1234567', 's'.repeat(56), 't'.repeat(100)])
      assert.equal(hash(suffix), node(prefix + suffix), `${prefix.length}+${suffix.length}`);
  }
});

test('Web Crypto finds the same number', async () => {
  const challenge = await createChallenge({ hmacKey, maxnumber: 5000, number: 4321 });
  const header = await solvePow(challenge, webCryptoSha256Hex);
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
