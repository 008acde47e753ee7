import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import sharp from 'sharp';
import { startTestCamera, type TestCamera } from '../../scripts/test-camera/camera.ts';
import { parseConfig } from './config.ts';
import { heartbeatBodySchema } from './heartbeat-schema.ts';
import { createLogger } from './log.ts';
import { MjpegClient } from './mjpeg-client.ts';
import { startStreamer, type Streamer } from './streamer.ts';

/**
 * The streamer against the real GStreamer RTSP test camera (1080p15 H.264), in-process so the
 * ffmpeg children can be counted. Ports: camera 8654, streamer 8190, fake cloud 8191, CLI run 8192;
 * nothing listens on 8659 (the unreachable camera).
 */
const CAMERA_PORT = 8654;
const STREAMER_PORT = 8190;
const CLOUD_PORT = 8191;
const CLI_PORT = 8192;
const SITE = 'site-test';
const EDGE_KEY = 'edge-key-test';
const CAMERA_PASSWORD = 's3cret-pass';
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const BASE = `http://127.0.0.1:${STREAMER_PORT}`;
const REPO = path.resolve(import.meta.dirname, '../..');

let camera: TestCamera;
let streamer: Streamer;
let signingKey: CryptoKey;
let publicKey: CryptoKey;
let publicJwk: JWK;
const logLines: string[] = [];
const heartbeats: { headers: IncomingHttpHeaders; body: string }[] = [];
let cloud: Server | undefined;

const streamerConfig = (overrides: Record<string, unknown> = {}) => ({
  port: STREAMER_PORT,
  host: '127.0.0.1',
  publicUrl: `http://127.0.0.1:${STREAMER_PORT}`,
  siteId: SITE,
  // No key configured: the streamer fetches the API's JWKS (served by the fake cloud below).
  api: { baseUrl: `http://127.0.0.1:${CLOUD_PORT}`, edgeKey: EDGE_KEY },
  metricsToken: METRICS_TOKEN,
  heartbeatSeconds: 1,
  idleTimeoutSeconds: 2,
  stallSeconds: 2,
  // Generous for a machine busy with the rest of the suite: a camera's first 1080p frame can take seconds.
  connectTimeoutSeconds: 20,
  startWaitSeconds: 20,
  backoff: { initialMs: 200, maxMs: 2000 },
  cameras: [
    {
      cameraId: 'cam-main',
      name: 'Main',
      url: `rtsp://viewer:${CAMERA_PASSWORD}@127.0.0.1:${CAMERA_PORT}/test`,
      width: 480,
    },
    // One frame per 5 s: shows that a new viewer gets the current frame instead of the next one.
    { cameraId: 'cam-slow', name: 'Slow', url: `rtsp://127.0.0.1:${CAMERA_PORT}/test`, width: 320, fps: 0.2 },
    { cameraId: 'cam-down', name: 'Down', url: 'rtsp://127.0.0.1:8659/none' },
    // Big frames fill the kernel's socket buffers (megabytes on loopback) within seconds.
    {
      cameraId: 'cam-big',
      name: 'Big',
      url: `rtsp://127.0.0.1:${CAMERA_PORT}/test`,
      width: 1920,
      quality: 100,
    },
  ],
  ...overrides,
});

const token = (
  claims: { sub?: string; aud?: string; exp?: number; kid?: string },
  key: CryptoKey = signingKey,
) => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: claims.kid ?? 'test-key' });
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  return jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 300).sign(key);
};
const url = async (cameraId: string, kind: 'stream.mjpeg' | 'snapshot.jpg') =>
  `${BASE}/cameras/${cameraId}/${kind}?token=${await token({ sub: cameraId, aud: SITE })}`;

async function metricsText(): Promise<string> {
  const res = await fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  return res.text();
}
function metric(text: string, name: string, cameraId: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{camera="${cameraId}"}`));
  assert.ok(line, `metric ${name} for ${cameraId}`);
  return Number(line.split(' ').pop());
}
async function cameraStatus(cameraId: string): Promise<string> {
  const health = (await (await fetch(`${BASE}/healthz`)).json()) as {
    cameras: { cameraId: string; status: string }[];
  };
  return health.cameras.find((c) => c.cameraId === cameraId)!.status;
}
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      // What the streamer last said about its cameras (ffmpeg's stderr included): why it did not happen.
      const said = logLines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(-5);
      assert.fail(
        `timed out after ${timeoutMs} ms waiting for ${what}; streamer warnings:\n${said.join('\n')}`,
      );
    }
    await sleep(everyMs);
  }
}
/** Command lines of the ffmpeg processes this test process started. */
function ffmpegChildren(): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [comm, , ppid] = [
          stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
          ...stat.slice(stat.lastIndexOf(')') + 2).split(' '),
        ];
        if (comm !== 'ffmpeg' || Number(ppid) !== process.pid) return [];
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')];
      } catch {
        return []; // exited meanwhile
      }
    });
}
async function expectError(target: string, status: number, code: string) {
  const res = await fetch(target);
  assert.equal(res.status, status, `${target} -> ${status}`);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  return res;
}

before(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  publicKey = pair.publicKey;
  publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256' };
  camera = await startTestCamera({ port: CAMERA_PORT });
  const log = createLogger('debug', (line) => logLines.push(line));
  streamer = await startStreamer(parseConfig(streamerConfig(), {}), log);
});

after(async () => {
  await streamer?.close();
  await camera?.stop();
  cloud?.closeAllConnections();
  cloud?.close();
});

test('keeps serving while the cloud is unreachable, then heartbeats reach it', async () => {
  await until('a failed heartbeat', async () => logLines.find((l) => l.includes('heartbeat failed')), 10_000);
  assert.equal((await fetch(`${BASE}/healthz`)).status, 200);
  // Without the JWKS no token can be checked: that is the cloud's outage, not the viewer's fault.
  const res = await expectError(await url('cam-main', 'snapshot.jpg'), 503, 'KEYS_UNAVAILABLE');
  assert.ok(Number(res.headers.get('retry-after')) >= 1);

  cloud = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/.well-known/jwks.json') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/edge/heartbeat')
        heartbeats.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => cloud!.listen(CLOUD_PORT, '127.0.0.1', resolve));

  const beat = await until(
    'a heartbeat with cam-main online',
    async () =>
      heartbeats.find((h) =>
        (JSON.parse(h.body) as { cameras: { cameraId: string; status: string }[] }).cameras.some(
          (c) => c.cameraId === 'cam-main' && c.status === 'online',
        ),
      ),
    20_000,
  );
  assert.equal(beat.headers.authorization, `Bearer ${EDGE_KEY}`);
  assert.match(beat.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(beat.body);
  // Exactly what the API accepts: both ends validate with the one schema.
  assert.deepEqual(heartbeatBodySchema.parse(body), body);
  assert.equal(body.siteId, SITE);
  assert.equal(body.publicUrl, `http://127.0.0.1:${STREAMER_PORT}`);
  assert.deepEqual(
    body.cameras.map((c: { cameraId: string }) => c.cameraId),
    ['cam-main', 'cam-slow', 'cam-down', 'cam-big'],
  );
  const main = body.cameras[0];
  assert.deepEqual(
    { name: main.name, width: main.width, height: main.height },
    { name: 'Main', width: 480, height: 270 },
  );
  for (const c of body.cameras) assert.ok(['online', 'offline', 'connecting'].includes(c.status));
  assert.ok(logLines.some((l) => l.includes('heartbeat restored')));
});

test('streams valid JPEGs at the configured width, with proxy-friendly headers', async () => {
  const client = await MjpegClient.open(await url('cam-main', 'stream.mjpeg'));
  try {
    assert.equal(client.status, 200);
    const h = client.res.headers;
    assert.match(h['content-type']!, /^multipart\/x-mixed-replace; boundary=/);
    assert.equal(h['cache-control'], 'no-cache, no-store, no-transform, must-revalidate');
    assert.equal(h['x-accel-buffering'], 'no');
    assert.equal(h['content-length'], undefined);
    assert.equal(h['content-encoding'], undefined);
    const frames = await client.waitForFrames(4);
    for (const frame of frames) {
      assert.equal(frame.headers['content-type'], 'image/jpeg');
      assert.equal(Number(frame.headers['content-length']), frame.jpeg.length);
      const { info } = await sharp(frame.jpeg).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [480, 270]);
    }
    assert.ok(!frames[0]!.jpeg.equals(frames[3]!.jpeg), 'the picture moves');
  } finally {
    client.close();
  }
});

test('serves a snapshot', async () => {
  const res = await fetch(await url('cam-main', 'snapshot.jpg'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  assert.match(res.headers.get('cache-control')!, /no-store/);
  const jpeg = Buffer.from(await res.arrayBuffer());
  assert.equal(Number(res.headers.get('content-length')), jpeg.length);
  const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 480);
});

test('a new viewer gets the newest frame at once, as the very same bytes', async () => {
  const first = await MjpegClient.open(await url('cam-slow', 'stream.mjpeg'));
  let second: MjpegClient | undefined;
  try {
    // The first frame may be an old one kept from before; wait for a fresh one, after which the
    // next is at least 4 s away: what a viewer joining now gets can only be the current frame.
    await first.waitForFrames(2, 20_000);
    second = await MjpegClient.open(await url('cam-slow', 'stream.mjpeg'));
    const [theirs] = await second.waitForFrames(1, 3000);
    assert.equal(first.received, 2, 'no newer frame meanwhile');
    assert.ok(theirs!.jpeg.equals(first.frames[1]!.jpeg));
    assert.equal((await sharp(theirs!.jpeg).metadata()).width, 320);
  } finally {
    first.close();
    second?.close();
  }
});

test('20 concurrent viewers share one ffmpeg process', async () => {
  // Spawns that are not restarts: a stall restart on a machine busy with the suite is not a viewer's.
  const planned = (text: string) =>
    metric(text, 'edge_ffmpeg_spawns_total', 'cam-main') -
    metric(text, 'edge_ffmpeg_restarts_total', 'cam-main');
  const plannedBefore = planned(await metricsText());
  const target = await url('cam-main', 'stream.mjpeg');
  const clients = await Promise.all(Array.from({ length: 20 }, () => MjpegClient.open(target)));
  try {
    await Promise.all(clients.map((c) => c.waitForFrames(3)));
    const text = await metricsText();
    assert.equal(metric(text, 'edge_viewers', 'cam-main'), 20);
    assert.ok(planned(text) <= plannedBefore + 1, 'at most one start for all 20 viewers');
    assert.equal(
      ffmpegChildren().filter((cmd) => cmd.includes(`:${CAMERA_PORT}/test`) && cmd.includes('scale=480:'))
        .length,
      1,
    );
  } finally {
    for (const c of clients) c.close();
  }
});

test('a viewer that stops reading skips frames instead of queueing them', async () => {
  const droppedBefore = metric(await metricsText(), 'edge_frames_dropped_total', 'cam-big');
  const target = new URL(await url('cam-big', 'stream.mjpeg'));
  const socket = connect(STREAMER_PORT, '127.0.0.1');
  socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: edge\r\n\r\n`);
  socket.pause(); // never read: the kernel buffers fill, then the streamer must hold back
  try {
    const text = await until(
      'frames dropped for the stalled viewer',
      async () => {
        const t = await metricsText();
        return metric(t, 'edge_frames_dropped_total', 'cam-big') >= droppedBefore + 15 ? t : undefined;
      },
      40_000,
      500,
    );
    // At most the one frame in flight is held in user space, never a backlog.
    const frameBytes =
      metric(text, 'edge_bytes_in_total', 'cam-big') / metric(text, 'edge_frames_in_total', 'cam-big');
    assert.ok(metric(text, 'edge_viewer_queued_bytes', 'cam-big') <= 2 * frameBytes);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.resume();
    await until('data after resuming', async () => (received > 0 ? true : undefined), 5000);
  } finally {
    socket.destroy();
  }
});

test('token errors answer 401, an unknown camera 404', async () => {
  const exp = Math.floor(Date.now() / 1000) - 120;
  const stranger = (await generateKeyPair('ES256')).privateKey;
  const base = `${BASE}/cameras/cam-main`;
  await expectError(`${base}/stream.mjpeg`, 401, 'TOKEN_MISSING');
  await expectError(`${base}/snapshot.jpg`, 401, 'TOKEN_MISSING');
  await expectError(
    `${base}/stream.mjpeg?token=${await token({ sub: 'cam-main', aud: SITE, exp })}`,
    401,
    'TOKEN_EXPIRED',
  );
  await expectError(
    `${base}/snapshot.jpg?token=${await token({ sub: 'cam-main', aud: SITE }, stranger)}`,
    401,
    'TOKEN_INVALID',
  );
  const unknownKid = await token({ sub: 'cam-main', aud: SITE, kid: 'stranger' }, stranger);
  await expectError(`${base}/snapshot.jpg?token=${unknownKid}`, 401, 'TOKEN_INVALID');
  await expectError(
    `${base}/stream.mjpeg?token=${await token({ sub: 'cam-slow', aud: SITE })}`,
    401,
    'TOKEN_INVALID',
  );
  await expectError(
    `${base}/stream.mjpeg?token=${await token({ sub: 'cam-main', aud: 'other-site' })}`,
    401,
    'TOKEN_INVALID',
  );
  await expectError(`${base}/stream.mjpeg?token=${await token({ aud: SITE })}`, 401, 'TOKEN_INVALID');
  await expectError(`${base}/stream.mjpeg?token=not.a.jwt`, 401, 'TOKEN_INVALID');
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
    JSON.stringify({ sub: 'cam-main', aud: SITE, exp: exp + 1000 }),
  ).toString('base64url')}.`;
  await expectError(`${base}/snapshot.jpg?token=${unsigned}`, 401, 'TOKEN_INVALID');
  await expectError(await url('nope', 'stream.mjpeg'), 404, 'NOT_FOUND');
  await expectError(`${BASE}/nothing-here`, 404, 'NOT_FOUND');
  // A valid token also works as a bearer header.
  const res = await fetch(`${base}/snapshot.jpg`, {
    headers: { Authorization: `Bearer ${await token({ sub: 'cam-main', aud: SITE })}` },
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

test('an unreachable camera answers 503 with Retry-After', async () => {
  for (const kind of ['snapshot.jpg', 'stream.mjpeg'] as const) {
    const res = await expectError(await url('cam-down', kind), 503, 'CAMERA_UNAVAILABLE');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  }
  assert.equal(await cameraStatus('cam-down'), 'offline');
});

test('a camera outage: offline, 503 meanwhile, frames back soon after the camera returns', async () => {
  const restartsBefore = metric(await metricsText(), 'edge_ffmpeg_restarts_total', 'cam-main');
  const viewer = await MjpegClient.open(await url('cam-main', 'stream.mjpeg'), 5);
  try {
    await viewer.waitForFrames(2);
    assert.equal(await cameraStatus('cam-main'), 'online');
    const mark = logLines.length;
    await camera.stop();
    const stoppedAt = Date.now();
    await until(
      'status offline',
      async () => ((await cameraStatus('cam-main')) === 'offline' ? true : undefined),
      10_000,
    );
    const res = await expectError(await url('cam-main', 'snapshot.jpg'), 503, 'CAMERA_UNAVAILABLE');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);

    await sleep(Math.max(0, 10_000 - (Date.now() - stoppedAt)));
    camera = await startTestCamera({ port: CAMERA_PORT });
    const returnedAt = Date.now();
    const framesAtReturn = viewer.received;
    await until(
      'frames after the camera returned',
      async () => (viewer.received > framesAtReturn ? true : undefined),
      5000,
      100,
    );
    const recoveryMs = Date.now() - returnedAt;
    assert.equal(await cameraStatus('cam-main'), 'online');
    assert.ok(metric(await metricsText(), 'edge_ffmpeg_restarts_total', 'cam-main') > restartsBefore);
    const statuses = logLines
      .slice(mark)
      .map((l) => JSON.parse(l) as { msg: string; cameraId?: string; status?: string })
      .filter((l) => l.msg === 'camera status' && l.cameraId === 'cam-main')
      .map((l) => l.status);
    assert.ok(statuses.includes('offline'));
    assert.equal(statuses.at(-1), 'online');
    console.log(`# frames back ${recoveryMs} ms after the camera returned`);
  } finally {
    viewer.close();
  }
});

test('an on-demand camera stops after its last viewer leaves', async () => {
  await until(
    'ffmpeg of cam-main stopped',
    async () => (metric(await metricsText(), 'edge_ffmpeg_running', 'cam-main') === 0 ? true : undefined),
    10_000,
  );
  assert.equal(ffmpegChildren().filter((cmd) => cmd.includes('scale=480:')).length, 0);
});

test('the camera password appears in no log line, metric or heartbeat', async () => {
  const text = await metricsText();
  assert.match(text, /edge_camera_info\{camera="cam-main",name="Main"\} 1/);
  // Not even the redacted camera URL: no RTSP host or path in any label.
  assert.ok(!/rtsp:|127\.0\.0\.1|8654/.test(text), 'no camera host in metrics');
  for (const [where, content] of [
    ['metrics', text],
    ['logs', logLines.join('\n')],
    ['heartbeats', heartbeats.map((h) => h.body).join('\n')],
  ] as const) {
    assert.ok(content.length > 0, where);
    assert.ok(!content.includes(CAMERA_PASSWORD), `password in ${where}`);
  }
});

test('/metrics needs the configured bearer token', async () => {
  assert.equal((await fetch(`${BASE}/metrics`)).status, 401);
  const wrong = await fetch(`${BASE}/metrics`, {
    headers: { authorization: 'Bearer not-the-token-0123456789' },
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="metrics"');
  assert.equal((await fetch(`${BASE}/metrics?token=${METRICS_TOKEN}`)).status, 401, 'header only');
});

test('the CLI rejects a bad config clearly, serves a good one and shuts down on SIGTERM', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'edge-cli-'));
  const run = (file: string) =>
    spawn(process.execPath, ['--import', 'tsx', 'edge-streamer/src/main.ts', '--config', file], {
      cwd: REPO,
      env: { ...process.env, EDGE_KEY: EDGE_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const finished = (child: ReturnType<typeof run>) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (c: Buffer) => (out += c));
      child.stderr!.on('data', (c: Buffer) => (err += c));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  const bad = path.join(dir, 'bad.json');
  await writeFile(
    bad,
    JSON.stringify({
      ...streamerConfig({ port: -1 }),
      cameras: [{ cameraId: 'x', url: `rtsp://u:${CAMERA_PASSWORD}@h/` }],
    }),
  );
  const rejected = await finished(run(bad));
  assert.equal(rejected.code, 2);
  assert.match(rejected.err, /Invalid edge-streamer config:\n {2}- port: .*\n {2}- cameras\.0\.name: /);
  assert.ok(!rejected.err.includes(CAMERA_PASSWORD));

  const good = path.join(dir, 'good.json');
  const config = streamerConfig({ port: CLI_PORT, publicKey: await exportSPKI(publicKey) }); // a pinned PEM key
  delete (config.api as { edgeKey?: string }).edgeKey; // comes from EDGE_KEY
  delete (config as { metricsToken?: string }).metricsToken; // unset: /metrics is open
  await writeFile(good, JSON.stringify({ ...config, cameras: [{ ...config.cameras[0], width: 200 }] }));
  const child = run(good);
  const result = finished(child);
  try {
    await until(
      'the CLI streamer',
      async () => {
        const res = await fetch(`http://127.0.0.1:${CLI_PORT}/healthz`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      15_000,
    );
    const snapshot = await fetch(
      `http://127.0.0.1:${CLI_PORT}/cameras/cam-main/snapshot.jpg?token=${await token({ sub: 'cam-main', aud: SITE })}`,
    );
    assert.equal(snapshot.status, 200);
    assert.equal((await sharp(Buffer.from(await snapshot.arrayBuffer())).metadata()).width, 200);
    const metrics = await fetch(`http://127.0.0.1:${CLI_PORT}/metrics`);
    assert.equal(metrics.status, 200, 'no metricsToken: /metrics is open');
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await metrics.text(), /^# HELP /m);
  } catch (error) {
    child.kill('SIGTERM'); // a failed check must not leave it holding the port for the next run
    throw error;
  }
  child.kill('SIGTERM');
  const { code, out } = await result;
  assert.equal(code, 0);
  assert.match(out, /"msg":"shutting down"/);
  assert.ok(!out.includes(CAMERA_PASSWORD));
  const leftovers = readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('scale=200:');
    } catch {
      return false;
    }
  });
  assert.deepEqual(leftovers, [], 'ffmpeg ended with the service');
});
