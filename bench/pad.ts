/**
 * `npm run bench:pad`: passive liveness on genuine fixture faces versus simulated presentation attacks
 * (shared/face/antispoof/attacks.ts). Prints, per set: faces, mean of each score (Human's antispoof and
 * liveness models, MiniFASNet `pad`, and the shipped `score`), and the share of faces passing each
 * LIVENESS_THRESHOLDS level; then MiniFASNet's time per face. Writes bench/results/pad.json (with every
 * face's scores, for recalibration). Not a test; ~1-2 minutes on one core.
 *
 * Sets:
 * - genuine/context: camera-like fixtures where the face has surroundings (expressions/*, misc/faces.jpg,
 *   groups/*: every face found);
 * - genuine/tight: the 150x150 face crops (8 people x 5, misc/face1-2): no context around the face;
 * - genuine/pasted: those crops at 300x300 pasted on a plain 640x480 backdrop (what the liveness-session
 *   tests feed the engine);
 * - attack/<type>: every attack type applied to each genuine/context image (2 seeds).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { ATTACK_TYPES, simulateAttack } from '../shared/face/antispoof/attacks.ts';
import { loadAntispoof } from '../shared/face/antispoof/pad.ts';
import { type LivenessScores } from '../shared/face/engine.ts';
import { getFaceEngine } from '../shared/face/default-engine.ts';
import { LIVENESS_LEVELS, LIVENESS_THRESHOLDS } from '../shared/face/liveness.ts';
import { loadImage } from '../shared/image/load.ts';

const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'tests/fixtures/faces');
const read = (f: string) => readFileSync(path.join(fixtures, f));
const list = (dir: string) => readdirSync(path.join(fixtures, dir)).map((f) => `${dir}/${f}`);

const PEOPLE = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];
export const CONTEXT_FIXTURES = [...list('expressions'), 'misc/faces.jpg', ...list('groups')];
export const TIGHT_FIXTURES = [...PEOPLE.flatMap(list), 'misc/face1.png', 'misc/face2.png'];

interface Row extends LivenessScores {
  set: string;
  source: string;
}

const engine = getFaceEngine();
await engine.warmup();

async function scores(set: string, source: string, bytes: Buffer, maxFaces = 10): Promise<Row[]> {
  const { faces } = await engine.detect(await loadImage(bytes), { maxFaces, withLiveness: true });
  return faces.map((f) => ({ set, source, ...f.liveness! }));
}

async function pasted(file: string): Promise<Buffer> {
  const crop = await sharp(read(file)).resize(300, 300).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 130, b: 140 } } })
    .composite([{ input: crop, left: 170, top: 90 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const rows: Row[] = [];
for (const f of CONTEXT_FIXTURES) rows.push(...(await scores('genuine/context', f, read(f))));
for (const f of TIGHT_FIXTURES) rows.push(...(await scores('genuine/tight', f, read(f), 1)));
for (const f of TIGHT_FIXTURES) rows.push(...(await scores('genuine/pasted', f, await pasted(f), 1)));
for (const type of ATTACK_TYPES)
  for (const f of CONTEXT_FIXTURES)
    for (const seed of [1, 2])
      rows.push(
        ...(await scores(`attack/${type}`, `${f}#${seed}`, await simulateAttack(type, read(f), seed))),
      );

// MiniFASNet time per face (both models, crops included), one face at a time.
const pad = await loadAntispoof();
const image = await loadImage(read('misc/faces.jpg'));
const input = tf.tensor4d(new Float32Array(image.pixels.data), [
  1,
  image.pixels.height,
  image.pixels.width,
  3,
]);
const box = { x: 300, y: 100, width: 100, height: 110 };
for (let i = 0; i < 3; i++) await pad.score(input, [box]);
const runs = 30;
const t0 = performance.now();
for (let i = 0; i < runs; i++) await pad.score(input, [box]);
const msPerFace = (performance.now() - t0) / runs;
input.dispose();

const sets = [...new Set(rows.map((r) => r.set))];
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const summary = sets.map((set) => {
  const r = rows.filter((x) => x.set === set);
  return {
    set,
    n: r.length,
    antispoof: mean(r.map((x) => x.antispoof)),
    liveness: mean(r.map((x) => x.liveness)),
    pad: mean(r.map((x) => x.pad)),
    score: mean(r.map((x) => x.score)),
    pass: Object.fromEntries(
      LIVENESS_LEVELS.map((l) => [l, r.filter((x) => x.score >= LIVENESS_THRESHOLDS[l]).length / r.length]),
    ),
  };
});

const pct = (v: number) => `${(v * 100).toFixed(0)}%`.padStart(5);
console.log(
  `${'set'.padEnd(16)} ${'n'.padStart(4)}  antisp  liven    pad  score   ${LIVENESS_LEVELS.map((l) => `${l}>=${LIVENESS_THRESHOLDS[l]}`.padStart(11)).join('')}`,
);
for (const s of summary)
  console.log(
    `${s.set.padEnd(16)} ${String(s.n).padStart(4)}  ${[s.antispoof, s.liveness, s.pad, s.score].map((v) => v.toFixed(3).padStart(6)).join(' ')}   ${LIVENESS_LEVELS.map((l) => pct(s.pass[l]!).padStart(11)).join('')}`,
  );
console.log(`MiniFASNet (V2 + V1SE, crops included): ${msPerFace.toFixed(1)} ms per face`);

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(
  path.join(root, 'bench/results/pad.json'),
  JSON.stringify(
    { date: new Date().toISOString(), thresholds: LIVENESS_THRESHOLDS, msPerFace, summary, rows },
    null,
    1,
  ),
);
console.log('wrote bench/results/pad.json');
