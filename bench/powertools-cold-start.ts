/**
 * What Powertools Tracer would add to a cold start (issue 14: adopt Tracer only where its cold-start
 * cost can be justified). Three tiny handlers, bundled as serverless.yml bundles our functions:
 *
 *   baseline  middy, returns a 200 JSON; no Powertools
 *   logger    + Logger (injectLambdaContext, one log line) and Metrics (one metric, flushed), as shared/ does
 *   tracer    + Tracer (captureLambdaHandler middleware: handler subsegment, ColdStart annotation)
 *
 *   npm run bench:cold-start [-- --runs 30]
 *
 * Each run spawns a fresh `node` per variant (round-robin, so machine noise spreads over all three)
 * that imports the bundle and invokes the handler once. "init" is timed inside the child with
 * performance.now() from before the dynamic import to after the first invocation returns (node's own
 * start-up excluded); "wall" is the whole child process as the parent sees it.
 *
 * The child runs with the deployed NODE_OPTIONS (--enable-source-maps, linked source maps) and a
 * simulated Lambda environment (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, _X_AMZN_TRACE_ID), so Tracer is
 * enabled and takes its real Lambda path: facade segment, subsegment, UDP send on close. No X-Ray
 * daemon listens, so the datagram is dropped; what is measured is module load and init plus one traced
 * invocation, which is the cold-start part. Runtime here is this machine's Node, not Lambda's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const SERVICE = 'facegate-api';
const baseline = `
import middy from '@middy/core';
const lambdaHandler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true }) });`;
const logger = `${baseline}
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
const logger = new Logger({ serviceName: '${SERVICE}' });
const metrics = new Metrics({ namespace: 'Facegate', serviceName: '${SERVICE}' });
const logged = async () => {
  logger.info('request', { status: 200 });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return lambdaHandler();
};`;
const tracer = `${logger}
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
const tracer = new Tracer({ serviceName: '${SERVICE}' });`;
const VARIANTS = {
  baseline: `${baseline}\nexport const handler = middy(lambdaHandler);`,
  logger: `${logger}\nexport const handler = middy(logged).use(injectLambdaContext(logger));`,
  tracer: `${tracer}\nexport const handler = middy(logged).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger));`,
};
type Variant = keyof typeof VARIANTS;
const names = Object.keys(VARIANTS) as Variant[];

/** Imports the bundle and invokes it once; prints the timings on a marked line (the handlers log too). */
const MARK = '@@cold-start ';
const CHILD = `
const t0 = performance.now();
const { handler } = await import(process.argv[2]);
const imported = performance.now();
const event = { version: '2.0', routeKey: 'GET /v1/health', rawPath: '/v1/health', headers: {}, requestContext: { http: { method: 'GET' } } };
const context = { functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  memoryLimitInMB: '512', awsRequestId: 'bench-request', getRemainingTimeInMillis: () => 29000 };
await handler(event, context);
const done = performance.now();
console.log('${MARK}' + JSON.stringify({ importMs: imported - t0, initMs: done - t0 }));`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'facegate-cold-start-'));
const lambdaEnv = {
  PATH: process.env.PATH,
  NODE_OPTIONS: '--enable-source-maps', // as serverless.yml provider.environment
  AWS_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', // else Powertools never reports a cold start
  LAMBDA_TASK_ROOT: dir,
  _HANDLER: 'handler.handler',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
};

/** Bundles with serverless.yml's custom.esbuild options; returns the bundle's path. */
async function bundle(name: Variant): Promise<string> {
  const outfile = path.join(dir, `${name}.mjs`);
  await build({
    stdin: { contents: VARIANTS[name], resolveDir: process.cwd(), sourcefile: `${name}.ts`, loader: 'ts' },
    outfile,
    bundle: true,
    minify: false,
    sourcemap: 'linked',
    target: 'node20',
    platform: 'node',
    format: 'esm',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

function coldStart(child: string, bundlePath: string) {
  const start = performance.now();
  const result = spawnSync(process.execPath, [child, bundlePath], { env: lambdaEnv, encoding: 'utf8' });
  const wallMs = performance.now() - start;
  const line = result.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (result.status !== 0 || !line) throw new Error(`child failed (${result.status}): ${result.stderr}`);
  return { ...(JSON.parse(line.slice(MARK.length)) as { importMs: number; initMs: number }), wallMs };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { p50: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), mean: round(mean) };
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main() {
  const loadBefore = loadavg();
  const child = path.join(dir, 'child.mjs');
  writeFileSync(child, CHILD);
  const bundles = {} as Record<Variant, string>;
  for (const name of names) bundles[name] = await bundle(name);

  const samples = Object.fromEntries(names.map((n) => [n, [] as ReturnType<typeof coldStart>[]]));
  for (const name of names) coldStart(child, bundles[name]); // warm the file cache; not counted
  for (let run = 0; run < runs; run++) {
    // Rotate the starting variant too, so none always runs right after another's page-cache misses.
    for (let i = 0; i < names.length; i++) {
      const name = names[(run + i) % names.length]!;
      samples[name]!.push(coldStart(child, bundles[name]));
    }
  }
  const loadAfter = loadavg();

  const results = names.map((name) => ({
    variant: name,
    bundleBytes: statSync(bundles[name]).size,
    init: stats(samples[name]!.map((s) => s.initMs)),
    import: stats(samples[name]!.map((s) => s.importMs)),
    wall: stats(samples[name]!.map((s) => s.wallMs)),
  }));
  const base = results[0]!;
  // Each variant adds to the one before it: "step" is what that addition alone costs.
  const rows = results.map((r, i) => ({
    variant: r.variant,
    'bundle KiB': round(r.bundleBytes / 1024),
    'Δ KiB': round((r.bundleBytes - base.bundleBytes) / 1024),
    'init p50': r.init.p50,
    'init p95': r.init.p95,
    'init mean': r.init.mean,
    'Δ init p50': round(r.init.p50 - base.init.p50),
    'step Δ init p50': round(r.init.p50 - results[Math.max(0, i - 1)]!.init.p50),
    'import p50': r.import.p50,
    'wall p50': r.wall.p50,
    'wall p95': r.wall.p95,
    'wall mean': r.wall.mean,
    'Δ wall p50': round(r.wall.p50 - base.wall.p50),
  }));

  console.log(
    `\nCold start per variant, ms (${runs} fresh processes each, round-robin; ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores shared, Node ${process.version}).`,
  );
  console.log(
    'init = dynamic import + first invocation, inside the child; import = the import alone; wall = whole child process incl. node start-up; Δ = vs baseline, step Δ = vs the row above.',
  );
  console.log(`Load average (1/5/15 min): before ${loadBefore}, after ${loadAfter}.`);
  console.table(rows);

  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/powertools-cold-start.json',
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        runs,
        loadavg: { before: loadBefore, after: loadAfter },
        results,
        samples,
      },
      null,
      2,
    )}\n`,
  );
  console.log('Wrote bench/results/powertools-cold-start.json');
  rmSync(dir, { recursive: true, force: true });
}

await main();
