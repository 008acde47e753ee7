/**
 * What the proof of work costs a client: solve time per difficulty level on this machine with the
 * solver every client uses (shared/client/pow-solver.ts, plain-JS SHA-256), the hash rates behind it
 * (and Web Crypto's, one promise per digest, for comparison), the expected time on a mid-range phone
 * (an estimate, see PHONE_FACTOR) and what native code, as an attacker would run, needs per challenge.
 *
 *   npm run bench:pow [-- --samples 1]     # --samples scales the solves per level (default 1×)
 *
 * Challenges come from altcha-lib exactly as the API issues them (shared/pow/friction.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createChallenge } from 'altcha-lib/v1';
import { solvePowNumber, webCryptoSha256Hex } from '../shared/client/pow-solver.ts';
import { sha256WithPrefix } from '../shared/client/sha256-ascii.ts';
import { POW_MAX_LEVEL, maxnumberFor } from '../shared/pow/schedule.ts';

/**
 * A mid-range phone runs single-threaded JavaScript about 4× slower than this machine's core: public
 * single-core scores (Geekbench 6) put mid-range Android SoCs (Cortex-A76/A78 big cores, e.g.
 * Snapdragon 7-series, Dimensity 900-1080) near 900-1100 against 2000-2500 for current x86 server cores,
 * and phones throttle under sustained load. An estimate, not a measurement; WeChat on iOS runs
 * mini-program JavaScript without a JIT, which can be several times slower again.
 */
const PHONE_FACTOR = 4;
/** Solves per level at --samples 1: enough for a mean without spending minutes on level 4. */
const SOLVES = [40, 16, 6, 3];

const { values: args } = parseArgs({ options: { samples: { type: 'string', default: '1' } } });
const scale = Number(args.samples);
const salt = 'f3a9c2e17b04d5a6e8c91b2f?expires=1764640000&level=1&scope=captcha&';

async function hashRate(hash: (text: string) => string | Promise<string>, count: number): Promise<number> {
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    const h = hash(String(n));
    if (typeof h !== 'string') await h;
  }
  return count / ((performance.now() - start) / 1000);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

async function main() {
  const rates = {
    solverPlainJs: await hashRate(sha256WithPrefix(salt), 200_000),
    webCrypto: await hashRate((n) => webCryptoSha256Hex(salt + n), 20_000),
    nodeNative: await hashRate(
      (n) =>
        createHash('sha256')
          .update(salt + n)
          .digest('hex'),
      200_000,
    ),
  };
  const rows = [];
  for (let level = 1; level <= POW_MAX_LEVEL; level++) {
    const maxnumber = maxnumberFor(level);
    const times: number[] = [];
    let tried = 0;
    for (let i = 0; i < Math.max(1, Math.round(SOLVES[level - 1]! * scale)); i++) {
      const challenge = await createChallenge({
        hmacKey: 'bench',
        maxnumber,
        params: { level: String(level) },
      });
      const start = performance.now();
      tried += (await solvePowNumber(challenge)) + 1;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
    const expectedMs = (maxnumber / 2 / rates.solverPlainJs) * 1000;
    rows.push({
      level,
      maxnumber,
      solves: times.length,
      meanMs: round(meanMs),
      p50Ms: round(percentile(times, 0.5)),
      maxMs: round(times.at(-1)!),
      hashesPerSecond: round(tried / (times.reduce((a, b) => a + b, 0) / 1000)),
      expectedMs: round(expectedMs),
      worstCaseMs: round(expectedMs * 2),
      phoneExpectedMs: round(expectedMs * PHONE_FACTOR),
      phoneWorstCaseMs: round(expectedMs * 2 * PHONE_FACTOR),
      nativeExpectedMs: round((maxnumber / 2 / rates.nodeNative) * 1000, 1),
    });
  }
  console.log(
    `\nProof-of-work cost per level (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores shared, Node ${process.version}).`,
  );
  console.log(
    `Hash rates: solver (plain JS, salt blocks hashed once) ${round(rates.solverPlainJs)}/s, Web Crypto (promise per digest) ${round(rates.webCrypto)}/s, native node:crypto ${round(rates.nodeNative)}/s.`,
  );
  console.log(
    `expected = maxnumber/2 hashes at the solver's rate, worst case = maxnumber; phone = ×${PHONE_FACTOR} (estimate, see bench/pow.ts); native = what an attacker's native code needs per challenge on one such core.`,
  );
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/pow.json',
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        phoneFactor: PHONE_FACTOR,
        rates,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log('Wrote bench/results/pow.json');
}

await main();
