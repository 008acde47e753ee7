/**
 * Load and fault benchmark of the API on the local stack (serverless-offline and the emulators):
 *
 *   npm run bench:load [-- --duration 60 --connections 200 --users 200 --instances 3 --outage 10]
 *   npm run bench:load -- --reuse    (a stack already running, see "Reusing a stack" below)
 *
 * Main phase: `--connections` keep-alive connections (autocannon, closed loop: each sends its next
 * request when the previous one is answered) drive mixed traffic for `--duration` seconds: signed
 * detect, compare and search with small fixture faces, and unsigned health, each request as a user
 * picked at random from `--users` signed-in users (fake WeChat codes `test:load-<n>`).
 *
 * Signing: a nonce is accepted once per user (api-v1.md), so a fixed list of pre-signed requests
 * cannot be replayed in a loop. Every request is signed as it is built (autocannon's `setupRequest`
 * runs just before the request is written): current X-Timestamp, a random X-Nonce, and the HMAC over
 * the body's SHA-256, which is computed once per fixture body.
 *
 * Fault phase: the same traffic; `--before` seconds in, Redis (`--fault-service redis`, the server
 * behind the Upstash REST emulator, or `redis-rest`, the emulator itself) is stopped through the
 * stack's control endpoint for `--outage` seconds and started again; traffic goes on `--after` s.
 * Checked: no 5xx but the documented 503s (DEPENDENCY_UNAVAILABLE, health's "degraded"); no face
 * request that ran while Redis was down succeeded, and every face 200 carries the rate-limit headers
 * (the limiter and the nonce check fail closed); no function ran past the Lambda timeout; the time
 * from Redis being back until signed requests succeed again. Then one user sends limit + 1 face
 * requests: the last must be 429. And the operator's view: how long after the fault the first alarms
 * (the local Prometheus rules, Alertmanager, the fake WeCom robot; see README, Operations) arrived.
 *
 * Two clocks: what clients see (autocannon, includes local queueing) and what functions took (the
 * API's log: serverless-offline's "Duration" line per invocation and our "request" line with status
 * and handler time). serverless-offline would start one container per concurrent request without
 * limit; bench/support/offline-instance-cap.mjs caps them at `--instances` per function, so requests
 * beyond queue as they would for a reserved concurrency, not as AWS would scale out.
 *
 * Reusing a stack: start it with the cap preloaded, e.g.
 *   FACEGATE_DATA_DIR=.data/bench-load FACEGATE_SKIP=scheduler,web,camera,edge \
 *   FACEGATE_BENCH_MAX_INSTANCES=3 NODE_OPTIONS=--import=./bench/support/offline-instance-cap.mjs npm start
 * and run with the same FACEGATE_DATA_DIR (the bench reads the API's log there).
 *
 * The stack and this generator share two cores with other work, so the figures are pessimistic;
 * the load average over each phase is reported beside them.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '200' },
    users: { type: 'string', default: '200' },
    instances: { type: 'string', default: '3' },
    before: { type: 'string', default: '15' },
    outage: { type: 'string', default: '10' },
    after: { type: 'string', default: '45' },
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
/** The deployed Lambda timeout (serverless.yml); the local stack allows 90 s for cold model loads. */
const LAMBDA_TIMEOUT_S = 29;
/** Clients wait this long: past the signature's 300 s window nothing could succeed anyway. */
const CLIENT_TIMEOUT_S = 300;
const GOALS = {
  throughputRps: 5,
  functionP95Ms: 5000,
  undocumented5xx: 0,
  faceSuccessWhileDown: 0,
  overLambdaTimeout: 0,
  recoveryS: 15,
  /** From the fault to the first alarm at the WeCom robot, through the local Prometheus and Alertmanager. */
  alarmS: 60,
};

process.env.FACEGATE_DATA_DIR ||= '.data/bench-load';
// The API and the emulators only; the camera, the streamer, the console and the schedules stay off.
process.env.FACEGATE_SKIP ||= 'scheduler,web,camera,edge';
const { logDir, urls } = await import('../scripts/stack/env.ts');
const { services } = await import('../scripts/stack/services.ts');
const { Stack } = await import('../scripts/stack/supervisor.ts');
const { stackStatus, startService, stopService } = await import('../scripts/stack/control-client.ts');
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
const kindOfPath = (p: string) => (Object.keys(PATHS) as Kind[]).find((k) => PATHS[k] === p);

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

function signedHeaders(session: Session, urlPath: string, body: Body): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(18).toString('base64url');
  const message = stringToSign({
    method: 'POST',
    path: urlPath,
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

/** One answer as a client saw it. Times are ms since the phase started. */
interface Sample {
  kind: Kind;
  sentAt: number;
  doneAt: number;
  status: number;
  /** See errorCode(). */
  code?: string;
  /** A face answer carried X-RateLimit-Remaining. */
  limited: boolean;
}

interface RequestContext {
  kind?: Kind;
  sentAt?: number;
}

/**
 * error.code of an error body; "degraded" for health's 503. A function that crashed or timed out is
 * answered as API Gateway does, `{"message": ...}` (scripts/stack/offline-raw-path.cjs): reported as
 * that message.
 */
function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string }; status?: string; message?: string };
    if (parsed.message && !parsed.error) return `gateway: ${parsed.message}`;
    return parsed.error?.code ?? (parsed.status === 'degraded' ? 'degraded' : undefined);
  } catch {
    return 'non-JSON body';
  }
}

const apiLog = path.join(logDir, 'api.log');

/** Runs autocannon for `seconds`; `during` runs alongside (the fault injection). */
async function drive(sessions: Session[], seconds: number, during?: (t0: number) => Promise<void>) {
  const samples: Sample[] = [];
  const load: number[] = [];
  let sent = 0;
  const logOffset = statSync(apiLog).size;
  const t0 = performance.now();
  const wallT0 = Date.now();
  const instance = autocannon({
    url: new URL(urls.api).origin,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: CLIENT_TIMEOUT_S,
    requests: [
      {
        setupRequest: (req: autocannon.Request, untyped: object): autocannon.Request => {
          const context = untyped as RequestContext;
          const kind = pickKind();
          context.kind = kind;
          context.sentAt = performance.now() - t0;
          sent += 1;
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
        onResponse: (status: number, body: string, untyped: object, headers = {}) => {
          const context = untyped as RequestContext;
          samples.push({
            kind: context.kind!,
            sentAt: context.sentAt!,
            doneAt: performance.now() - t0,
            status,
            code: status >= 400 || body.startsWith('{"errorMessage"') ? errorCode(body) : undefined,
            limited: Object.keys(headers).some((h) => h.toLowerCase() === 'x-ratelimit-remaining'),
          });
        },
      },
    ],
  });
  const sampler = setInterval(() => load.push(loadavg()[0]!), 5000);
  const [result] = await Promise.all([instance, during?.(t0)]);
  clearInterval(sampler);
  load.push(loadavg()[0]!);
  const drainS = await drain(logOffset, sent);
  const log = readApiLog(logOffset, wallT0);
  return { result, samples, load, log, sent, unanswered: sent - samples.length - result.timeouts, drainS };
}

/**
 * autocannon stops at the end of the phase with a request in flight on every connection; the API
 * goes on with them (and with those still waiting for a container). Waits until the API has logged
 * an answer to every request sent (or nothing new for 30 s, or 5 min), so that the next phase does
 * not start behind this one's backlog and the log holds every invocation. Returns the seconds taken.
 */
async function drain(logOffset: number, sent: number): Promise<number> {
  const started = Date.now();
  let answered = -1;
  let lastProgress = Date.now();
  while (Date.now() - started < 300_000 && Date.now() - lastProgress < 30_000) {
    const now = readApiLog(logOffset, 0).invocations.length;
    if (now >= sent) break;
    if (now !== answered) [answered, lastProgress] = [now, Date.now()];
    await sleep(2000);
  }
  return Math.round((Date.now() - started) / 1000);
}

/** A function invocation as the API logged it; times in ms since the phase started. */
interface Invocation {
  kind: Kind;
  status: number;
  startedAt: number;
  endedAt: number;
}

/** The phase's part of the API log: our request lines and serverless-offline's durations. */
function readApiLog(offset: number, wallT0: number) {
  const text = readFileSync(apiLog).subarray(offset).toString('utf8');
  const invocations: Invocation[] = [];
  const durations: Record<string, number[]> = {};
  for (const line of text.split('\n')) {
    const duration = /\(λ: (\w+)\) RequestId: \S+\s+Duration: ([\d.]+) ms/.exec(line);
    if (duration) (durations[duration[1]!] ??= []).push(Number(duration[2]));
    if (!line.startsWith('{')) continue;
    try {
      // One access line per request, in the Powertools format (shared/log.ts).
      const entry = JSON.parse(line) as {
        message?: string;
        timestamp?: string;
        path?: string;
        status?: number;
        ms?: number;
      };
      const kind = entry.path && kindOfPath(entry.path);
      if (entry.message !== 'request' || !kind || !entry.timestamp) continue;
      const endedAt = Date.parse(entry.timestamp) - wallT0;
      invocations.push({ kind, status: entry.status!, startedAt: endedAt - entry.ms!, endedAt });
    } catch {
      // not one of our JSON lines
    }
  }
  return { invocations, durations };
}

const isDocumented503 = (status: number, code: string | undefined, kind: Kind) =>
  status === 503 && (code === 'DEPENDENCY_UNAVAILABLE' || (kind === 'health' && code === 'degraded'));

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

function latencyRow(label: string, ms: number[], seconds: number) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    traffic: label,
    requests: sorted.length,
    'req/s': Math.round((sorted.length / seconds) * 10) / 10,
    'p50 ms': Math.round(percentile(sorted, 0.5)),
    'p95 ms': Math.round(percentile(sorted, 0.95)),
    'p99 ms': Math.round(percentile(sorted, 0.99)),
    'max ms': Math.round(sorted.at(-1) ?? NaN),
  };
}

function statusCounts(samples: { status: number; code?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    const key = s.code ? `${s.status} ${s.code}` : String(s.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

const FUNCTION_NAMES: Record<Kind, string> = {
  detect: 'facesDetect',
  compare: 'facesCompare',
  search: 'search',
  health: 'health',
};

function summarise(phase: string, run: Awaited<ReturnType<typeof drive>>, seconds: number) {
  const { result, samples, load, log } = run;
  const clientMs = (kind?: Kind) =>
    samples.filter((s) => !kind || s.kind === kind).map((s) => s.doneAt - s.sentAt);
  const functionMs = (kind?: Kind) =>
    (kind ? [FUNCTION_NAMES[kind]] : Object.values(FUNCTION_NAMES)).flatMap((n) => log.durations[n] ?? []);
  const kinds = MIX.map(([kind]) => kind);
  const client = [
    latencyRow('all', clientMs(), seconds),
    ...kinds.map((k) => latencyRow(k, clientMs(k), seconds)),
  ];
  const server = [
    latencyRow('all', functionMs(), seconds),
    ...kinds.map((k) => latencyRow(k, functionMs(k), seconds)),
  ];
  console.log(`\n${phase}: ${CONNECTIONS} connections, ${USERS} users, ${seconds} s`);
  console.log('as clients saw it (includes waiting for a local container):');
  console.table(client);
  console.log('function durations (serverless-offline, per invocation):');
  console.table(server);
  const counts = statusCounts(samples);
  console.table(Object.entries(counts).map(([status, count]) => ({ status, count })));
  const allDurations = functionMs();
  const summary = {
    seconds,
    client,
    functions: server,
    statusCounts: counts,
    sent: run.sent,
    unansweredAtEnd: run.unanswered,
    backlogDrainS: run.drainS,
    /** Every invocation the API logged for the phase's requests, by status (code not logged). */
    functionStatusCounts: statusCounts(log.invocations),
    clientTimeouts: result.timeouts,
    socketErrors: result.errors,
    undocumented5xx: samples.filter((s) => s.status >= 500 && !isDocumented503(s.status, s.code, s.kind))
      .length,
    /** Our API answers 503 only with a documented body; any other 5xx the functions logged counts. */
    functionOther5xx: log.invocations.filter((i) => i.status >= 500 && i.status !== 503).length,
    faceOkWithoutLimitHeaders: samples.filter(
      (s) => s.kind !== 'health' && s.status === 200 && !s.code && !s.limited,
    ).length,
    overLambdaTimeout: allDurations.filter((ms) => ms > LAMBDA_TIMEOUT_S * 1000).length,
    maxFunctionMs: Math.round(Math.max(0, ...allDurations)),
    loadAverage: { min: Math.min(...load), max: Math.max(...load), samples: load },
  };
  console.log(
    [
      `sent ${summary.sent}, answered within the phase ${samples.length}, cut off at its end ${summary.unansweredAtEnd} (the API finished them ${run.drainS} s later), client timeouts (${CLIENT_TIMEOUT_S} s) ${summary.clientTimeouts}, socket errors ${summary.socketErrors}`,
      `undocumented 5xx ${summary.undocumented5xx} (clients), ${summary.functionOther5xx} (API log); face 200s without rate-limit headers ${summary.faceOkWithoutLimitHeaders}`,
      `longest function ${summary.maxFunctionMs} ms; over ${LAMBDA_TIMEOUT_S} s: ${summary.overLambdaTimeout}`,
      `load average ${summary.loadAverage.min.toFixed(1)}-${summary.loadAverage.max.toFixed(1)} on ${cpus().length} shared cores`,
    ].join('\n'),
  );
  return summary;
}

/** Wall-clock ms (Date.now()) of each step of the outage. */
type Marks = Partial<Record<'stopRequested' | 'stopped' | 'startRequested' | 'ready', number>>;

/** Stops the fault service `before` s into the phase and starts it again `outage` s later. */
function outage(marks: Marks) {
  return async () => {
    await sleep(FAULT.before * 1000);
    marks.stopRequested = Date.now();
    await stopService(FAULT_SERVICE);
    marks.stopped = Date.now();
    await sleep(FAULT.outage * 1000);
    marks.startRequested = Date.now();
    await startService(FAULT_SERVICE);
    marks.ready = Date.now();
  };
}

function analyseFault(run: Awaited<ReturnType<typeof drive>>, wallMarks: Marks) {
  const wallT0 = wallMarks.stopRequested! - FAULT.before * 1000;
  const marks = Object.fromEntries(
    Object.entries(wallMarks).map(([k, v]) => [k, v - wallT0]),
  ) as Required<Marks>;
  const signed = run.log.invocations.filter((i) => i.kind !== 'health');
  // A face request that ran entirely while Redis was down can only succeed if a check failed open.
  const ranWhileDown = signed.filter(
    (i) => i.startedAt >= marks.stopped && i.endedAt <= marks.startRequested,
  );
  const startedWhileDown = signed.filter((i) => i.startedAt >= marks.stopped && i.startedAt < marks.ready);
  const startedAfter = signed.filter((i) => i.startedAt >= marks.ready).sort((a, b) => a.endedAt - b.endedAt);
  const firstSuccess = startedAfter.find((i) => i.status === 200);
  const last503 = signed
    .filter((i) => i.status === 503)
    .sort((a, b) => a.endedAt - b.endedAt)
    .at(-1);
  const s = (ms: number) => Math.round(ms / 100) / 10;
  // Per 5 s of function start: what the functions answered.
  const timeline = [];
  const end = Math.max(0, ...signed.map((i) => i.startedAt));
  for (let t = 0; t <= end; t += 5000) {
    const slice = signed.filter((i) => i.startedAt >= t && i.startedAt < t + 5000);
    const ms = slice.map((i) => i.endedAt - i.startedAt).sort((a, b) => a - b);
    timeline.push({
      's (function start)': `${t / 1000}-${t / 1000 + 5}`,
      redis: t + 5000 <= marks.stopRequested || t >= marks.ready ? 'up' : 'DOWN (part)',
      started: slice.length,
      '200': slice.filter((i) => i.status === 200).length,
      '429': slice.filter((i) => i.status === 429).length,
      '503': slice.filter((i) => i.status === 503).length,
      'other 5xx': slice.filter((i) => i.status >= 500 && i.status !== 503).length,
      'p95 ms': Math.round(percentile(ms, 0.95)) || '',
    });
  }
  return {
    marksS: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, s(v)])),
    faceSuccessWhileDown: ranWhileDown.filter((i) => i.status < 300).length,
    ranWhileDown: ranWhileDown.length,
    startedWhileDownStatus: statusCounts(startedWhileDown),
    recoveryToFirstSuccessS: firstSuccess ? s(firstSuccess.endedAt - marks.ready) : null,
    lastDependency503AfterReadyS:
      last503 && last503.endedAt > marks.ready ? s(last503.endedAt - marks.ready) : 0,
    timeline,
  };
}

/**
 * The alarms the fake WeCom robot received since the fault began, each with its delay in seconds;
 * waits up to `GOALS.alarmS` past the fault for the first one.
 */
async function alarmsSince(faultAt: number) {
  type Message = { at: string; content: string };
  const received = async () =>
    ((await (await fetch(`${urls.wecom}/messages`)).json()) as Message[])
      .filter((m) => Date.parse(m.at) >= faultAt)
      .map((m) => ({
        afterS: Math.round((Date.parse(m.at) - faultAt) / 100) / 10,
        // The headline of shared/alerts/alarm-message.ts: `### <font …>ALARM</font> <name>`.
        alarm: m.content
          .split('\n')[0]!
          .replace(/<[^>]+>/g, '')
          .replace(/^### /, ''),
      }));
  while (Date.now() < faultAt + GOALS.alarmS * 1000 && (await received()).length === 0) await sleep(1000);
  return received();
}

/** limit + 1 face requests from one fresh user, one after another: the last must be 429. */
async function rateLimitProbe(origin: string, attempts = 3) {
  const client = await login(origin, `test:load-probe-${Date.now()}`);
  const body = { image: face('expressions/neutral.jpg') };
  const first = await client.post(PATHS.detect, body);
  const limit = Number(first.headers.get('x-ratelimit-limit'));
  let last = first;
  for (let i = 1; i <= limit; i++) last = await client.post(PATHS.detect, body);
  // The limit is per minute window: a probe that straddled two windows proves nothing, so it runs again.
  const window = (res: typeof first) => res.headers.get('x-ratelimit-reset');
  if (last.status === 200 && window(last) !== window(first) && attempts > 1)
    return rateLimitProbe(origin, attempts - 1);
  return { limit, firstStatus: first.status, statusAfterLimit: last.status, code: last.body?.error?.code };
}

/** Sign-in is set-up, not measured: on a machine busy enough for a local Lambda timeout, try again. */
async function login(
  origin: string,
  code: string,
  attempts = 3,
): Promise<InstanceType<typeof FacegateClient>> {
  try {
    return await FacegateClient.login(origin, code);
  } catch (error) {
    if (attempts <= 1) throw error;
    console.log(`sign-in of ${code} failed (${(error as Error).message.slice(0, 80)}), retrying`);
    return login(origin, code, attempts - 1);
  }
}

async function signIn(origin: string): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = 0; i < USERS; i += 10) {
    const batch = Array.from({ length: Math.min(10, USERS - i) }, (_, j) =>
      login(origin, `test:load-${i + j}`),
    );
    for (const client of await Promise.all(batch)) sessions.push(client.session!);
  }
  return sessions;
}

async function run() {
  const origin = new URL(urls.api).origin;
  const started = new Date().toISOString();
  const loadAtStart = loadavg();
  const sessions = await signIn(origin);
  console.log(`${sessions.length} users signed in; warming one container per function`);
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
    const marks: Marks = {};
    const seconds = FAULT.before + FAULT.outage + FAULT.after;
    console.log(`\nfault phase: ${FAULT_SERVICE} stopped ${FAULT.before} s in, for ${FAULT.outage} s`);
    const phase = await drive(sessions, seconds, outage(marks));
    const summary = summarise('fault phase', phase, seconds);
    const analysis = analyseFault(phase, marks);
    console.table(analysis.timeline);
    const alarms = await alarmsSince(marks.stopRequested!);
    const probe = await rateLimitProbe(origin);
    const m = analysis.marksS;
    console.log(
      [
        `${FAULT_SERVICE} stopped at ${m.stopped} s, started again at ${m.startRequested} s, ready at ${m.ready} s`,
        `face requests that ran while it was down: ${analysis.ranWhileDown}, succeeded: ${analysis.faceSuccessWhileDown} (goal 0) ${ok(analysis.faceSuccessWhileDown === 0)}`,
        `  answers of those that started while it was down: ${JSON.stringify(analysis.startedWhileDownStatus)}`,
        `face 200s without rate-limit headers: ${summary.faceOkWithoutLimitHeaders} (goal 0) ${ok(summary.faceOkWithoutLimitHeaders === 0)}`,
        `undocumented 5xx: ${summary.undocumented5xx} answered, ${summary.functionOther5xx} in the API log (goal 0) ${ok(summary.undocumented5xx + summary.functionOther5xx === 0)}`,
        `functions over ${LAMBDA_TIMEOUT_S} s: ${summary.overLambdaTimeout} (longest ${summary.maxFunctionMs} ms) ${ok(summary.overLambdaTimeout === 0)}`,
        `recovery once ${FAULT_SERVICE} is ready: first success ${analysis.recoveryToFirstSuccessS} s, last 503 ${analysis.lastDependency503AfterReadyS} s after (goal <= ${GOALS.recoveryS} s)`,
        `rate-limit probe after the restart: request ${probe.limit + 1} of one user answered ${probe.statusAfterLimit} ${probe.code ?? ''} ${ok(probe.statusAfterLimit === 429)}`,
        `alarms at the WeCom robot (s after the fault): ${alarms.map((a) => `${a.alarm} ${a.afterS}`).join('; ') || 'none'} (goal: first <= ${GOALS.alarmS} s) ${ok(alarms.length > 0 && alarms[0]!.afterS <= GOALS.alarmS)}`,
      ].join('\n'),
    );
    fault = { service: FAULT_SERVICE, ...FAULT, ...summary, ...analysis, rateLimitProbe: probe, alarms };
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
        instancesPerFunction: Number(process.env.FACEGATE_BENCH_MAX_INSTANCES) || 'unlimited',
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
  await run();
} else {
  process.env.FACEGATE_BENCH_MAX_INSTANCES = args.instances;
  const cap = new URL('./support/offline-instance-cap.mjs', import.meta.url).href;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${cap}`.trim();
  const stack = new Stack(services, (line) => console.log(line));
  await stack.start(() => process.exit(1), { fresh: true });
  try {
    await run();
  } finally {
    await stack.stop();
  }
}
