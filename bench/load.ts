/**
 * Load and fault benchmark of the API on the local stack (serverless-offline and the emulators):
 *
 *   npm run bench:load [-- --duration 60 --connections 200 --users 200 --outage 10 --reuse]
 *
 * Main phase: `--connections` keep-alive connections (autocannon, closed loop: each sends its next
 * request when the previous one is answered) drive mixed traffic for `--duration` seconds: signed
 * detect, compare and search with small fixture faces, and unsigned health, each request as a user
 * picked at random from `--users` signed-in users (fake WeChat codes `test:load-<n>`).
 *
 * Signing: a nonce is accepted once per user (api-v1.md), so requests cannot be signed ahead and
 * replayed in a loop as a fixed request list would. Every request is signed as it is built
 * (autocannon's `setupRequest`, called just before the request is written): fresh X-Timestamp, a
 * random X-Nonce and the HMAC over the body's SHA-256, computed once per fixture body.
 *
 * Fault phase: the same traffic; after `--before` seconds Redis is stopped through the stack's
 * control endpoint for `--outage` seconds, then started again; traffic continues for `--after`
 * seconds. Checked from every answer: no 5xx but the documented 503s (DEPENDENCY_UNAVAILABLE, health's
 * "degraded" body); no face request sent while Redis was down succeeded (the rate limit and the
 * nonce check fail closed); nothing ran past the Lambda timeout; and the time from Redis being back
 * until signed requests succeed again. Then a rate-limit probe: one user sends limit + 1 face
 * requests and must get 429 (counters work again after the restart).
 *
 * The stack runs on the same two shared cores as this generator and every other session, so the
 * figures are pessimistic; the load average over the run is written beside them.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '200' },
    users: { type: 'string', default: '200' },
    before: { type: 'string', default: '10' },
    outage: { type: 'string', default: '10' },
    after: { type: 'string', default: '30' },
    'fault-service': { type: 'string', default: 'redis' },
    'no-fault': { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const FAULT = { before: Number(args.before), outage: Number(args.outage), after: Number(args.after) };
const FAULT_SERVICE = args['fault-service'] as 'redis' | 'redis-rest';
/** The deployed Lambda timeout (serverless.yml); the local stack allows more for cold model loads. */
const LAMBDA_TIMEOUT_S = 29;
const GOALS = {
  throughputRps: 20,
  p95Ms: 10_000,
  undocumented5xx: 0,
  faceSuccessDuringOutage: 0,
  overTimeout: 0,
  recoveryS: 10,
};

process.env.FACEGATE_DATA_DIR ||= '.data/bench-load';
// The API and the emulators only; the camera, the streamer, the console and the schedules stay off.
process.env.FACEGATE_SKIP ||= 'scheduler,web,camera,edge';
const { urls } = await import('../scripts/stack/env.ts');
const { services } = await import('../scripts/stack/services.ts');
const { Stack } = await import('../scripts/stack/supervisor.ts');
const { stackStatus, startService, stopService } = await import('../scripts/stack/control.ts');
const { FacegateClient } = await import('../shared/client/client.ts');
const { stringToSign } = await import('../shared/client/canonical.ts');

type Kind = 'detect' | 'compare' | 'search' | 'health';
const MIX: [Kind, number][] = [
  ['detect', 0.4],
  ['compare', 0.2],
  ['search', 0.2],
  ['health', 0.2],
];
const PATHS: Record<Kind, string> = {
  detect: '/v1/faces/detect',
  compare: '/v1/faces/compare',
  search: '/v1/search',
  health: '/v1/health',
};

interface Body {
  text: string;
  sha256: string;
}
const face = (name: string) =>
  readFileSync(new URL(`../tests/fixtures/faces/${name}`, import.meta.url)).toString('base64');
const jsonBody = (value: unknown): Body => {
  const text = JSON.stringify(value);
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
};
const EXPRESSIONS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised'];
const BODIES: Record<Exclude<Kind, 'health'>, Body[]> = {
  detect: EXPRESSIONS.map((e) => jsonBody({ image: face(`expressions/${e}.jpg`) })),
  compare: [
    ['amy/amy1.png', 'amy/amy2.png'],
    ['raj/raj1.png', 'howard/howard1.png'],
    ['stuart/stuart1.png', 'stuart/stuart2.png'],
  ].map(([a, b]) => jsonBody({ a: { image: face(a!) }, b: { image: face(b!) } })),
  search: ['amy/amy3.png', 'raj/raj2.png', 'howard/howard2.png'].map((f) => jsonBody({ image: face(f) })),
};

interface Session {
  token: string;
  signingKey: string;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
function pickKind(): Kind {
  let r = Math.random();
  for (const [kind, share] of MIX) if ((r -= share) < 0) return kind;
  return 'health';
}

function signedHeaders(session: Session, path: string, body: Body): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(18).toString('base64url');
  const message = stringToSign({
    method: 'POST',
    path,
    query: [],
    timestamp,
    nonce,
    bodySha256Hex: body.sha256,
  });
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${session.token}`,
    'x-timestamp': timestamp,
    'x-nonce': nonce,
    'x-signature': createHmac('sha256', session.signingKey).update(message).digest('hex'),
  };
}

/** One answered request, as the analysis needs it. */
interface Sample {
  kind: Kind;
  /** ms since the phase started, when the request was written and when its answer was complete. */
  sentAt: number;
  doneAt: number;
  status: number;
  /** error.code of an error body; "degraded" for health's 503. */
  code?: string;
}

interface RequestContext {
  kind?: Kind;
  sentAt?: number;
}

/** Runs autocannon for `seconds`; `during` runs alongside (the fault injection). */
async function drive(sessions: Session[], seconds: number, during?: (t0: number) => Promise<void>) {
  const samples: Sample[] = [];
  const load: number[] = [];
  const t0 = performance.now();
  const apiOrigin = new URL(urls.api).origin;
  const instance = autocannon({
    url: apiOrigin,
    connections: CONNECTIONS,
    duration: seconds,
    // A request still unanswered 1 s past the Lambda timeout counts as hung (autocannon's "timeouts").
    timeout: LAMBDA_TIMEOUT_S + 1,
    requests: [
      {
        setupRequest: (req: autocannon.Request, untyped: object): autocannon.Request => {
          const context = untyped as RequestContext;
          const kind = pickKind();
          context.kind = kind;
          context.sentAt = performance.now() - t0;
          if (kind === 'health')
            return { ...req, method: 'GET', path: PATHS.health, headers: {}, body: undefined };
          const body = pick(BODIES[kind]);
          return {
            ...req,
            method: 'POST',
            path: PATHS[kind],
            headers: signedHeaders(pick(sessions), PATHS[kind], body),
            body: body.text,
          };
        },
        onResponse: (status: number, body: string, untyped: object) => {
          const context = untyped as RequestContext;
          samples.push({
            kind: context.kind!,
            sentAt: context.sentAt!,
            doneAt: performance.now() - t0,
            status,
            code: status >= 400 ? errorCode(body) : undefined,
          });
        },
      },
    ],
  });
  const sampler = setInterval(() => load.push(loadavg()[0]!), 5000);
  const [result] = await Promise.all([instance, during?.(t0)]);
  clearInterval(sampler);
  load.push(loadavg()[0]!);
  return { result, samples, load };
}

function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string }; status?: string };
    return parsed.error?.code ?? (parsed.status === 'degraded' ? 'degraded' : undefined);
  } catch {
    return 'non-JSON body';
  }
}

const isDocumented5xx = (s: Sample) =>
  s.status === 503 && (s.code === 'DEPENDENCY_UNAVAILABLE' || (s.kind === 'health' && s.code === 'degraded'));

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

function latencyRow(label: string, samples: Sample[], seconds: number) {
  const ms = samples.map((s) => s.doneAt - s.sentAt).sort((a, b) => a - b);
  return {
    traffic: label,
    requests: samples.length,
    'req/s': Math.round((samples.length / seconds) * 10) / 10,
    'p50 ms': Math.round(percentile(ms, 0.5)),
    'p95 ms': Math.round(percentile(ms, 0.95)),
    'p99 ms': Math.round(percentile(ms, 0.99)),
    'max ms': Math.round(ms.at(-1) ?? NaN),
  };
}

function statusCounts(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    const key = s.code ? `${s.status} ${s.code}` : String(s.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function summarise(phase: string, run: Awaited<ReturnType<typeof drive>>, seconds: number) {
  const { result, samples, load } = run;
  const rows = [
    latencyRow('all', samples, seconds),
    ...MIX.map(([kind]) =>
      latencyRow(
        kind,
        samples.filter((s) => s.kind === kind),
        seconds,
      ),
    ),
  ];
  console.log(`\n${phase}: ${CONNECTIONS} connections, ${USERS} users, ${seconds} s`);
  console.table(rows);
  const counts = statusCounts(samples);
  console.table(Object.entries(counts).map(([status, count]) => ({ status, count })));
  const summary = {
    seconds,
    rows,
    statusCounts: counts,
    // autocannon's own view: timeouts (no answer within the Lambda timeout + 1 s) and socket errors.
    timeouts: result.timeouts,
    errors: result.errors,
    undocumented5xx: samples.filter((s) => s.status >= 500 && !isDocumented5xx(s)).length,
    overLambdaTimeout: samples.filter((s) => s.doneAt - s.sentAt > LAMBDA_TIMEOUT_S * 1000).length,
    loadAverage: { min: Math.min(...load), max: Math.max(...load), samples: load },
  };
  console.log(
    `timeouts ${summary.timeouts}, socket errors ${summary.errors}, undocumented 5xx ${summary.undocumented5xx}, ` +
      `over ${LAMBDA_TIMEOUT_S} s ${summary.overLambdaTimeout}, load average ${summary.loadAverage.min.toFixed(1)}-${summary.loadAverage.max.toFixed(1)} on ${cpus().length} shared cores`,
  );
  return summary;
}

/** Stops the fault service `before` s into the phase and starts it again after `outage` s. */
function redisOutage(marks: Record<string, number>) {
  return async (t0: number) => {
    const at = () => performance.now() - t0;
    await sleep(FAULT.before * 1000);
    marks.stopRequested = at();
    await stopService(FAULT_SERVICE);
    marks.stopped = at();
    await sleep(FAULT.outage * 1000);
    marks.startRequested = at();
    await startService(FAULT_SERVICE);
    marks.ready = at();
  };
}

function analyseFault(samples: Sample[], marks: Record<string, number>) {
  const signed = samples.filter((s) => s.kind !== 'health');
  // Sent while the service was down, or before it was, answered after: must not have succeeded.
  const sentDuringOutage = signed.filter(
    (s) => s.sentAt >= marks.stopped! && s.sentAt < marks.startRequested!,
  );
  const faceSuccessDuringOutage = sentDuringOutage.filter((s) => s.status < 300).length;
  // Recovery: from "service ready" to the first signed success sent after it, and to the last
  // documented 503 of a request sent after it.
  const afterReady = signed.filter((s) => s.sentAt >= marks.ready!).sort((a, b) => a.sentAt - b.sentAt);
  const firstSuccess = afterReady.find((s) => s.status === 200);
  const last503 = afterReady.filter((s) => s.status === 503).at(-1);
  const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 100) / 10);
  // Per-second timeline of signed answers by the second they were sent in.
  const timeline: Record<string, number | string>[] = [];
  const end = Math.max(...samples.map((s) => s.sentAt));
  for (let t = 0; t * 1000 <= end; t++) {
    const inSecond = signed.filter((s) => s.sentAt >= t * 1000 && s.sentAt < (t + 1) * 1000);
    const ms = inSecond.map((s) => s.doneAt - s.sentAt).sort((a, b) => a - b);
    const phase =
      t * 1000 < marks.stopRequested! ? 'before' : t * 1000 < marks.ready! ? 'REDIS DOWN' : 'after';
    timeline.push({
      second: t,
      phase,
      sent: inSecond.length,
      '2xx': inSecond.filter((s) => s.status < 300).length,
      '429': inSecond.filter((s) => s.status === 429).length,
      '503': inSecond.filter((s) => s.status === 503).length,
      'other 5xx': inSecond.filter((s) => s.status >= 500 && s.status !== 503).length,
      'p95 ms': Math.round(percentile(ms, 0.95)) || '',
    });
  }
  return {
    marksS: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, seconds(v)])),
    signedSentDuringOutage: sentDuringOutage.length,
    faceSuccessDuringOutage,
    outageStatusCounts: statusCounts(sentDuringOutage),
    recoveryToFirstSuccessS: firstSuccess ? seconds(firstSuccess.doneAt - marks.ready!) : null,
    recoveryToLast503S: last503 ? seconds(last503.doneAt - marks.ready!) : 0,
    timeline,
  };
}

/** limit + 1 face requests from one fresh user, one after another: the last must be 429. */
async function rateLimitProbe(origin: string) {
  const client = await FacegateClient.login(origin, `test:load-probe-${Date.now()}`);
  const body = { image: face('expressions/neutral.jpg') };
  const first = await client.post(PATHS.detect, body);
  const limit = Number(first.headers.get('x-ratelimit-limit'));
  let last = first;
  for (let i = 1; i <= limit; i++) last = await client.post(PATHS.detect, body);
  return { limit, firstStatus: first.status, statusAfterLimit: last.status, code: last.body?.error?.code };
}

async function signIn(origin: string): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = 0; i < USERS; i += 10) {
    const batch = Array.from({ length: Math.min(10, USERS - i) }, (_, j) =>
      FacegateClient.login(origin, `test:load-${i + j}`),
    );
    for (const client of await Promise.all(batch)) sessions.push(client.session!);
  }
  return sessions;
}

async function main() {
  const origin = new URL(urls.api).origin;
  const started = new Date().toISOString();
  const loadAtStart = loadavg();
  const sessions = await signIn(origin);
  console.log(`${sessions.length} users signed in; warming up (one request of each kind)`);
  // A warm container per face function, so the main phase does not start with every cold start at once.
  const warm = new FacegateClient(origin, { ...sessions[0]!, userId: '', expiresAt: '' });
  await Promise.all([
    warm.post(PATHS.detect, JSON.parse(BODIES.detect[0]!.text)),
    warm.post(PATHS.compare, JSON.parse(BODIES.compare[0]!.text)),
    warm.post(PATHS.search, JSON.parse(BODIES.search[0]!.text)),
    fetch(`${urls.api}/health`),
  ]);

  const main = summarise('main phase', await drive(sessions, DURATION_S), DURATION_S);
  let fault;
  if (!args['no-fault']) {
    const marks: Record<string, number> = {};
    const seconds = FAULT.before + FAULT.outage + FAULT.after;
    console.log(`\nfault phase: ${FAULT_SERVICE} stopped from ${FAULT.before} s for ${FAULT.outage} s`);
    const run = await drive(sessions, seconds, redisOutage(marks));
    const summary = summarise('fault phase', run, seconds);
    const analysis = analyseFault(run.samples, marks);
    console.table(analysis.timeline);
    const probe = await rateLimitProbe(origin);
    console.log(
      [
        `${FAULT_SERVICE} down from ${analysis.marksS.stopped} s to ${analysis.marksS.startRequested} s (ready at ${analysis.marksS.ready} s)`,
        `signed requests sent while down: ${analysis.signedSentDuringOutage}, of which succeeded: ${analysis.faceSuccessDuringOutage} (goal 0) ${ok(analysis.faceSuccessDuringOutage === 0)}`,
        `  answers: ${JSON.stringify(analysis.outageStatusCounts)}`,
        `undocumented 5xx: ${summary.undocumented5xx} (goal 0) ${ok(summary.undocumented5xx === 0)}`,
        `answered after ${LAMBDA_TIMEOUT_S} s: ${summary.overLambdaTimeout}, unanswered (timeouts): ${summary.timeouts} (goal 0) ${ok(summary.overLambdaTimeout + summary.timeouts === 0)}`,
        `recovery after ${FAULT_SERVICE} is back: first success ${analysis.recoveryToFirstSuccessS} s, last 503 ${analysis.recoveryToLast503S} s (goal <= ${GOALS.recoveryS} s)`,
        `rate-limit probe after the restart: request ${probe.limit + 1} of one user answered ${probe.statusAfterLimit} ${probe.code ?? ''} ${ok(probe.statusAfterLimit === 429)}`,
      ].join('\n'),
    );
    fault = { ...summary, ...analysis, rateLimitProbe: probe, service: FAULT_SERVICE, ...FAULT };
  }

  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('load.json', dir),
    `${JSON.stringify(
      {
        date: started,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        note: 'Stack and load generator share 2 cores with other work: figures are pessimistic.',
        connections: CONNECTIONS,
        users: USERS,
        mix: Object.fromEntries(MIX),
        lambdaTimeoutS: LAMBDA_TIMEOUT_S,
        goals: GOALS,
        main,
        fault,
      },
      null,
      2,
    )}\n`,
  );
  console.log('\nwrote bench/results/load.json');
}

const ok = (pass: boolean) => (pass ? 'PASS' : 'MISS');

if (args.reuse) {
  await stackStatus(); // throws with a hint when no stack answers
  await main();
} else {
  const stack = new Stack(services, (line) => console.log(line));
  await stack.start(() => process.exit(1), { fresh: true });
  try {
    await main();
  } finally {
    await stack.stop();
  }
}
