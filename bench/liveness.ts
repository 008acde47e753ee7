/**
 * Active liveness benchmark: in-process time to verify a 12-frame burst (decode + engine on every frame +
 * the rules), warm, and where the time goes per frame. Frames: 640x480 JPEGs of a real photo with small
 * shifts, as a phone would send them. Prints a table, writes bench/results/liveness.json.
 * Usage: npm run bench:liveness
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import { type DetectOptions } from '../shared/face/engine.ts';
import { getFaceEngine } from '../shared/face/default-engine.ts';
import { decodeFrames } from '../shared/liveness/frames.ts';
import { judgeBurst } from '../shared/liveness/verify.ts';

const FRAMES = 12;
const RUNS = 10;
const GOALS = { burstP50Ms: 1500 };
const source = readFileSync(new URL('../tests/fixtures/faces/expressions/happy.jpg', import.meta.url));

async function frame(i: number): Promise<string> {
  const { width = 0, height = 0 } = await sharp(source).metadata();
  const side = Math.min(width, height) - 8;
  const jpeg = await sharp(source)
    .extract({ left: i % 5, top: (i * 3) % 7, width: side, height: side })
    .resize(640, 480, { fit: 'cover' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** Per-frame cost of each engine stage: configurations interleaved, so load changes hit them alike. */
async function stageTimes(image: Awaited<ReturnType<typeof decodeFrames>>[number]['image']) {
  const configs: Record<string, DetectOptions> = {
    detectMeshAttributesMs: { maxFaces: 3 },
    plusDescriptorMs: { maxFaces: 3, withDescriptor: true },
    plusPassiveModelsMs: { maxFaces: 3, withDescriptor: true, withLiveness: true },
  };
  const engine = getFaceEngine();
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  for (let round = 0; round < 10; round++) {
    for (const [name, options] of Object.entries(configs)) {
      const t0 = performance.now();
      await engine.detect(image, options);
      times[name]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([k, v]) => [
      k,
      percentile(
        v.sort((a, b) => a - b),
        0.5,
      ),
    ]),
  ) as { detectMeshAttributesMs: number; plusDescriptorMs: number; plusPassiveModelsMs: number };
}

const wire = await Promise.all(Array.from({ length: FRAMES }, (_, i) => frame(i)));
const burst = wire.map((image, i) => ({ image, t: i * 200 }));
const session = {
  sessionId: 'lv_bench',
  level: 'NORMAL' as const,
  actions: ['TURN_LEFT', 'BLINK'] as ['TURN_LEFT', 'BLINK'],
  createdAt: Date.now(),
  expiresAt: Date.now() + 120_000,
};
await judgeBurst(session, await decodeFrames(burst)); // warm: models, liveness models, WASM memory

const total: number[] = [];
const decode: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const frames = await decodeFrames(burst);
  const t1 = performance.now();
  await judgeBurst({ ...session, createdAt: Date.now() - 5000 }, frames);
  total.push(performance.now() - t0);
  decode.push(t1 - t0);
}
total.sort((a, b) => a - b);
decode.sort((a, b) => a - b);

const one = (await decodeFrames(burst.slice(0, 1)))[0]!.image;
const stages = await stageTimes(one);

const result = {
  at: new Date().toISOString(),
  cpus: cpus().length,
  loadAverage1m: loadavg()[0],
  frames: FRAMES,
  frameSize: '640x480 JPEG q80',
  bytesPerFrame: Math.round(wire.reduce((n, b) => n + (b.length * 3) / 4, 0) / FRAMES),
  burst: { runs: RUNS, p50Ms: percentile(total, 0.5), p95Ms: percentile(total, 0.95), minMs: total[0] },
  decodeP50Ms: percentile(decode, 0.5),
  perFrameMs: stages,
  goals: GOALS,
};
console.table([
  {
    metric: `verify ${FRAMES}-frame burst p50 (ms)`,
    value: Math.round(result.burst.p50Ms),
    goal: `<= ${GOALS.burstP50Ms}`,
  },
  { metric: `verify ${FRAMES}-frame burst p95 (ms)`, value: Math.round(result.burst.p95Ms), goal: '' },
  { metric: 'decode all frames p50 (ms)', value: Math.round(result.decodeP50Ms), goal: '' },
  {
    metric: 'per frame: detect + mesh + attributes (ms)',
    value: Math.round(stages.detectMeshAttributesMs),
    goal: '',
  },
  { metric: 'per frame: + descriptor (ms)', value: Math.round(stages.plusDescriptorMs), goal: '' },
  { metric: 'per frame: + passive models (ms)', value: Math.round(stages.plusPassiveModelsMs), goal: '' },
  { metric: 'bytes per frame', value: result.bytesPerFrame, goal: '' },
]);
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`);
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('liveness.json', dir), JSON.stringify(result, null, 2) + '\n');
