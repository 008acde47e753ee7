/**
 * Face detect over local HTTP: the signed client -> serverless-offline -> the function -> the engine,
 * as a mini-program request would go (minus the internet). Starts its own local stack (fresh data in
 * .data/bench), measures warm p50/p95 for a single face and for groups/bbt1.jpg with caching defeated
 * (every request sends different bytes), prints a table and writes bench/results/face-http.json.
 * Usage: npm run bench:http
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import sharp from 'sharp';

process.env.FACEGATE_DATA_DIR ||= '.data/bench';
// The limiter still runs on every request; only its ceiling is lifted so the bench is not throttled.
process.env.FACE_RATE_LIMIT_PER_MINUTE = '100000';
const { urls } = await import('../scripts/stack/env.ts');
const { services } = await import('../scripts/stack/services.ts');
const { Stack } = await import('../scripts/stack/supervisor.ts');
const { FacegateClient } = await import('../shared/client/client.ts');

const GOALS = { singleP50Ms: 150 };
const RUNS = 30;
const fixture = (name: string) => readFileSync(new URL(`../tests/fixtures/faces/${name}`, import.meta.url));

/** Copies of an image that differ in one corner pixel, so no request is answered from the cache. */
async function variants(name: string, count: number): Promise<string[]> {
  const source = fixture(name);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const pixel = await sharp({
      create: { width: 1, height: 1, channels: 3, background: { r: i % 256, g: (i * 7) % 256, b: 9 } },
    })
      .png()
      .toBuffer();
    out.push(
      (
        await sharp(source)
          .composite([{ input: pixel, left: 0, top: 0 }])
          .jpeg({ quality: 92 })
          .toBuffer()
      ).toString('base64'),
    );
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function measure(client: InstanceType<typeof FacegateClient>, images: string[], expectedFaces: number) {
  const [warm, ...timed] = images;
  await client.post('/v1/faces/detect', { image: warm }); // the container's cold start is not part of warm latency
  const times: number[] = [];
  for (const image of timed) {
    const start = performance.now();
    const res = await client.post('/v1/faces/detect', { image });
    times.push(performance.now() - start);
    if (res.status !== 200 || res.body.faceCount !== expectedFaces || res.body.cached) {
      throw new Error(`unexpected answer ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }
  times.sort((a, b) => a - b);
  return {
    runs: times.length,
    p50Ms: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    minMs: times[0]!,
  };
}

const stack = new Stack(services, () => {});
await stack.start(() => process.exit(1), { fresh: true });
try {
  const client = await FacegateClient.login(new URL(urls.api).origin, 'test:bench');
  const coldStart = performance.now();
  await client.post('/v1/faces/detect', { image: fixture('misc/white.png').toString('base64') });
  const firstRequestMs = performance.now() - coldStart;
  const single = await measure(client, await variants('expressions/angry.jpg', RUNS + 1), 1);
  const group = await measure(client, await variants('groups/bbt1.jpg', RUNS + 1), 4);
  const result = {
    date: new Date().toISOString(),
    loadAverage: loadavg()[0],
    cpus: cpus().length,
    firstRequestMs,
    singleFace: single,
    group,
    goals: GOALS,
  };
  console.table([
    { metric: 'first request, cold container (ms)', value: Math.round(firstRequestMs), goal: '' },
    {
      metric: 'single face detect p50 over HTTP (ms)',
      value: Math.round(single.p50Ms),
      goal: `<= ${GOALS.singleP50Ms}`,
    },
    { metric: 'single face detect p95 over HTTP (ms)', value: Math.round(single.p95Ms), goal: '' },
    { metric: 'bbt1.jpg detect p50 over HTTP (ms)', value: Math.round(group.p50Ms), goal: '' },
    { metric: 'bbt1.jpg detect p95 over HTTP (ms)', value: Math.round(group.p95Ms), goal: '' },
  ]);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('face-http.json', dir), JSON.stringify(result, null, 2) + '\n');
} finally {
  await stack.stop();
}
