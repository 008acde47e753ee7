/**
 * Edge-streamer cost and latency against the RTSP test camera (1080p15 H.264, scaled to 640 wide):
 *
 *   npm run bench:edge [-- --seconds 10 --viewers 50]
 *
 * CPU: utime+stime deltas from /proc/<pid>/stat of the streamer's node process and of its ffmpeg
 * child over a measuring window, as a share of one core. RSS: VmRSS at the end of the window.
 * The streamer runs as its own process (`node --import tsx edge-streamer/src/main.ts`), so the
 * viewers' client work, done here, is not counted.
 *
 * Latency: the test camera (--timecode) paints the wall-clock ms at which each raw frame leaves the
 * video source into the frame itself; a viewer decodes it from the JPEG it receives and subtracts
 * it from the arrival time (same machine, same clock). This is glass-to-viewer latency and so
 * *includes* the camera's own H.264 encoding and RTSP sending: an upper bound of what the streamer
 * adds. For a breakdown, the same ffmpeg command is also run alone, its JPEGs read straight from
 * the pipe: the difference is what Node's splitter, hub and HTTP add.
 *
 * Phases: ffmpeg alone; streamer with the camera running and no viewer; 1 viewer; N viewers.
 * The machine is shared (2 cores), so figures carry noise of a few percent.
 *
 * Soak (`npm run bench:edge -- --soak <minutes>`): the camera on demand (not alwaysOn, as deployed),
 * 10 viewers that each watch for 5-20 s, leave, and come back 0.5-3 s later, for the whole run.
 * Every 15 s: the streamer's RSS and open file descriptors, ffmpeg's RSS, and CPU over the interval
 * (node + live ffmpeg + ffmpeg processes already reaped, from /proc/<pid>/stat cutime/cstime, so a
 * restarted pipeline is still counted). A leak shows as RSS or descriptors that keep climbing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ffmpegArgs } from '../edge-streamer/src/ffmpeg.ts';
import { JpegSplitter } from '../edge-streamer/src/jpeg.ts';
import { MjpegClient } from '../edge-streamer/src/mjpeg-client.ts';
import { startTestCamera } from '../scripts/test-camera/camera.ts';
import { readTimecode } from '../scripts/test-camera/timecode.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    viewers: { type: 'string', default: '50' },
    soak: { type: 'string' },
  },
});
const WINDOW_MS = Number(args.seconds) * 1000;
const VIEWERS = Number(args.viewers);
const WARMUP_MS = 3000;
const CAMERA_PORT = 8754;
const STREAMER_PORT = 8290;
const CLOUD_PORT = 8291;
const WIDTH = 640;
const REPO = path.resolve(import.meta.dirname, '..');
const CLK_TCK = 100; // Linux USER_HZ
const GOALS = { cpuPerCameraPct: 25, addedLatencyMs: 200, viewersExtraCpuPct: 10 };

interface Phase {
  phase: string;
  viewers: number;
  ffmpegCpuPct: number;
  nodeCpuPct: number;
  totalCpuPct: number;
  ffmpegRssMb: number;
  nodeRssMb: number;
  fpsPerViewer?: number;
  latencyMs?: { p50: number; p95: number; max: number; samples: number };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}
/** CPU ticks of `pid` plus those of its children that have exited and been waited for. */
function cpuTicksWithReapedChildren(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0); // utime stime cutime cstime
}
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function ffmpegChildOf(ppid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === 'ffmpeg' && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid)
        return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** Collects glass-to-viewer latencies of the frames handed to `record` during the window. */
class LatencyProbe {
  private samples: number[] = [];
  private active = false;
  record(jpeg: Buffer, receivedAt: number): void {
    if (!this.active) return;
    void readTimecode(jpeg).then((stamp) => stamp !== undefined && this.samples.push(receivedAt - stamp));
  }
  start(): void {
    this.samples = [];
    this.active = true;
  }
  stop(): Phase['latencyMs'] {
    this.active = false;
    const s = [...this.samples].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    return { p50: at(0.5), p95: at(0.95), max: s.at(-1)!, samples: s.length };
  }
}

async function measure(
  phase: string,
  viewers: number,
  pids: { ffmpeg: number; node?: number },
  probe?: LatencyProbe,
  frameCount?: () => number,
): Promise<Phase> {
  await sleep(WARMUP_MS);
  const f0 = cpuTicks(pids.ffmpeg);
  const n0 = pids.node ? cpuTicks(pids.node) : 0;
  const frames0 = frameCount?.() ?? 0;
  const t0 = Date.now();
  probe?.start();
  await sleep(WINDOW_MS);
  const latencyMs = probe?.stop();
  const seconds = (Date.now() - t0) / 1000;
  const pct = (ticks: number) => Math.round((ticks / CLK_TCK / seconds) * 1000) / 10;
  const ffmpegCpuPct = pct(cpuTicks(pids.ffmpeg) - f0);
  const nodeCpuPct = pids.node ? pct(cpuTicks(pids.node) - n0) : 0;
  return {
    phase,
    viewers,
    ffmpegCpuPct,
    nodeCpuPct,
    totalCpuPct: Math.round((ffmpegCpuPct + nodeCpuPct) * 10) / 10,
    ffmpegRssMb: Math.round(rssMb(pids.ffmpeg)),
    nodeRssMb: pids.node ? Math.round(rssMb(pids.node)) : 0,
    ...(frameCount && viewers
      ? { fpsPerViewer: Math.round(((frameCount() - frames0) / viewers / seconds) * 10) / 10 }
      : {}),
    ...(latencyMs ? { latencyMs } : {}),
  };
}

async function ffmpegAlone(cameraUrl: string): Promise<Phase> {
  const proc = spawn('ffmpeg', ffmpegArgs({ url: cameraUrl, width: WIDTH, quality: 75 }), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const probe = new LatencyProbe();
  const splitter = new JpegSplitter();
  let frames = 0;
  proc.stdout.on('data', (chunk: Buffer) => {
    const now = Date.now();
    for (const jpeg of splitter.push(chunk)) {
      frames += 1;
      probe.record(jpeg, now);
    }
  });
  try {
    return await measure('ffmpeg alone (pipe)', 1, { ffmpeg: proc.pid! }, probe, () => frames);
  } finally {
    proc.kill();
  }
}

/** The streamer both runs measure: one camera at WIDTH, its own signing keys, heartbeats to the stub cloud. */
async function startBenchStreamer(cameraUrl: string, alwaysOn: boolean) {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const streamer = await startStreamer({
    port: STREAMER_PORT,
    host: '127.0.0.1',
    publicUrl: `http://127.0.0.1:${STREAMER_PORT}`,
    siteId: 'bench',
    api: { baseUrl: `http://127.0.0.1:${CLOUD_PORT}`, edgeKey: 'bench' },
    publicKey: { ...(await exportJWK(publicKey)), kid: 'bench' },
    logLevel: 'warn',
    cameras: [{ cameraId: 'cam', name: 'bench', url: cameraUrl, width: WIDTH, quality: 75, alwaysOn }],
  });
  return { streamer, privateKey };
}

async function startStreamer(config: object): Promise<ChildProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-edge-'));
  writeFileSync(path.join(dir, 'edge.json'), JSON.stringify(config));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'edge-streamer/src/main.ts', '--config', path.join(dir, 'edge.json')],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${STREAMER_PORT}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(200);
  }
  child.kill();
  throw new Error('streamer did not start');
}

async function main(): Promise<void> {
  if (args.soak !== undefined) return soak(Number(args.soak));
  const camera = await startTestCamera({ port: CAMERA_PORT, overlay: 'clock', timecode: true });
  // A stand-in for the cloud so heartbeats succeed quietly.
  const cloud = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => cloud.listen(CLOUD_PORT, '127.0.0.1', resolve));
  let streamer: ChildProcess | undefined;
  const clients: MjpegClient[] = [];
  const phases: Phase[] = [];
  try {
    phases.push(await ffmpegAlone(camera.url));

    const { streamer: launched, privateKey } = await startBenchStreamer(camera.url, true);
    streamer = launched;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
      .setSubject('cam')
      .setAudience('bench')
      .setExpirationTime('1h')
      .sign(privateKey);
    const streamUrl = `http://127.0.0.1:${STREAMER_PORT}/cameras/cam/stream.mjpeg?token=${token}`;
    await sleep(1000);
    const ffmpeg = ffmpegChildOf(streamer.pid!);
    if (!ffmpeg) throw new Error('no ffmpeg under the streamer');
    const pids = { ffmpeg, node: streamer.pid! };
    const received = () => clients.reduce((sum, c) => sum + c.received, 0);

    phases.push(await measure('streamer, camera on, no viewer', 0, pids));

    const probe = new LatencyProbe();
    const first = await MjpegClient.open(streamUrl, 1);
    first.onFrame = (f) => probe.record(f.jpeg, f.receivedAt);
    clients.push(first);
    phases.push(await measure('streamer, 1 viewer', 1, pids, probe, received));

    for (let i = 1; i < VIEWERS; i++) clients.push(await MjpegClient.open(streamUrl, 1));
    phases.push(await measure(`streamer, ${VIEWERS} viewers`, VIEWERS, pids, probe, received));
    if (ffmpegChildOf(streamer.pid!) !== ffmpeg) throw new Error('ffmpeg was restarted during the run');
  } finally {
    for (const c of clients) c.close();
    streamer?.kill('SIGTERM');
    if (streamer) await new Promise((resolve) => streamer!.once('exit', resolve));
    cloud.close();
    await camera.stop();
  }
  report(phases);
}

function report(phases: Phase[]): void {
  const [alone, idle, one, many] = phases as [Phase, Phase, Phase, Phase];
  console.log(`\nedge-streamer: 1080p15 H.264 RTSP -> ${WIDTH}px MJPEG, ${WINDOW_MS / 1000} s windows\n`);
  const rows = phases.map((p) => ({
    phase: p.phase,
    'ffmpeg CPU %': p.ffmpegCpuPct,
    'node CPU %': p.nodeCpuPct,
    'total CPU %': p.totalCpuPct,
    'ffmpeg RSS MB': p.ffmpegRssMb,
    'node RSS MB': p.nodeRssMb,
    'fps/viewer': p.fpsPerViewer ?? '',
    'latency p50 ms': p.latencyMs?.p50 ?? '',
    'latency p95 ms': p.latencyMs?.p95 ?? '',
  }));
  console.table(rows);
  const summary = {
    cpuPerCameraPct: one.totalCpuPct,
    ffmpegRssPerCameraMb: one.ffmpegRssMb,
    nodeRssMb: one.nodeRssMb,
    latencyP50Ms: one.latencyMs!.p50,
    latencyP95Ms: one.latencyMs!.p95,
    latencyFfmpegAloneP50Ms: alone.latencyMs!.p50,
    nodeAddedLatencyP50Ms: one.latencyMs!.p50 - alone.latencyMs!.p50,
    // Only node does per-viewer work; ffmpeg's share is the same for any number of viewers, so
    // comparing totals would mostly measure ffmpeg's noise.
    viewersExtraCpuPct: Math.round((many.nodeCpuPct - one.nodeCpuPct) * 10) / 10,
    idleCameraCpuPct: idle.totalCpuPct,
  };
  const verdict = {
    cpuPerCamera: summary.cpuPerCameraPct <= GOALS.cpuPerCameraPct,
    addedLatency: summary.latencyP50Ms <= GOALS.addedLatencyMs,
    viewersExtraCpu: summary.viewersExtraCpuPct <= GOALS.viewersExtraCpuPct,
  };
  console.log(
    [
      `CPU per camera (1 viewer): ${summary.cpuPerCameraPct}% of a core (goal <= ${GOALS.cpuPerCameraPct}%) ${ok(verdict.cpuPerCamera)}`,
      `RSS: ffmpeg ${one.ffmpegRssMb} MB per camera + node ${one.nodeRssMb} MB for the whole service`,
      `Latency camera -> viewer: p50 ${summary.latencyP50Ms} ms, p95 ${summary.latencyP95Ms} ms (goal <= ${GOALS.addedLatencyMs} ms) ${ok(verdict.addedLatency)}`,
      `  of which ffmpeg alone p50 ${summary.latencyFfmpegAloneP50Ms} ms; node splitter+hub+HTTP p50 ${summary.nodeAddedLatencyP50Ms} ms`,
      `${VIEWERS} viewers add ${summary.viewersExtraCpuPct}% CPU in node vs 1 viewer (goal <= ${GOALS.viewersExtraCpuPct}%) ${ok(verdict.viewersExtraCpu)}`,
    ].join('\n'),
  );
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  const file = path.join(REPO, 'bench/results/edge-streamer.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), windowSeconds: WINDOW_MS / 1000, viewers: VIEWERS, goals: GOALS, summary, verdict, phases }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(REPO, file)}`);
}

const ok = (pass: boolean) => (pass ? 'PASS' : 'MISS');

const SOAK_VIEWERS = 10;
const SOAK_SAMPLE_MS = 15_000;
const SOAK_GOALS = { rssGrowthMb: 20, fdGrowth: 5, failedSessions: 0 };

interface SoakSample {
  minute: number;
  viewersWatching: number;
  sessionsSoFar: number;
  cpuPct: number;
  nodeRssMb: number;
  ffmpegRssMb: number;
  openFds: number;
  ffmpegPid: number | string;
  loadAverage: number;
}

const randomMs = (min: number, max: number) => min + Math.random() * (max - min);

interface SoakCounters {
  watching: number;
  sessions: number;
}

/** One viewer that keeps coming and going until `until`; returns what it saw. */
async function churningViewer(streamUrl: string, until: number, counters: SoakCounters) {
  const outcome = { sessions: 0, failed: 0, frames: 0, errors: [] as string[] };
  await sleep(randomMs(0, 3000)); // stagger the arrivals
  while (Date.now() < until) {
    outcome.sessions += 1;
    counters.sessions += 1;
    let client: MjpegClient | undefined;
    try {
      client = await MjpegClient.open(streamUrl, 1);
      if (client.status !== 200) throw new Error(`status ${client.status}`);
      counters.watching += 1;
      // The first frame of a cold pipeline takes a few seconds (ffmpeg start, RTSP setup).
      await client.waitForFrames(1, 15_000);
      await sleep(randomMs(5000, 20_000));
      outcome.frames += client.received;
    } catch (error) {
      outcome.failed += 1;
      outcome.errors.push((error as Error).message);
    } finally {
      if (client?.status === 200) counters.watching -= 1;
      client?.close();
    }
    await sleep(randomMs(500, 3000));
  }
  return outcome;
}

async function soak(minutes: number): Promise<void> {
  if (!(minutes > 0)) throw new Error('--soak takes a number of minutes > 0');
  const camera = await startTestCamera({ port: CAMERA_PORT, overlay: 'clock' });
  const cloud = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => cloud.listen(CLOUD_PORT, '127.0.0.1', resolve));
  let streamer: ChildProcess | undefined;
  const samples: SoakSample[] = [];
  let outcomes: Awaited<ReturnType<typeof churningViewer>>[] = [];
  try {
    const { streamer: launched, privateKey } = await startBenchStreamer(camera.url, false);
    streamer = launched;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
      .setSubject('cam')
      .setAudience('bench')
      .setExpirationTime(`${Math.ceil(minutes) + 10}m`)
      .sign(privateKey);
    const streamUrl = `http://127.0.0.1:${STREAMER_PORT}/cameras/cam/stream.mjpeg?token=${token}`;
    const pid = streamer.pid!;
    const started = Date.now();
    const until = started + minutes * 60_000;
    const counters: SoakCounters = { watching: 0, sessions: 0 };
    const viewers = Array.from({ length: SOAK_VIEWERS }, () => churningViewer(streamUrl, until, counters));
    let ticks = cpuTicksWithReapedChildren(pid);
    let lastAt = Date.now();
    console.log(`edge-streamer soak: ${minutes} min, ${SOAK_VIEWERS} viewers coming and going`);
    while (Date.now() < until) {
      await sleep(Math.min(SOAK_SAMPLE_MS, until - Date.now()));
      const ffmpeg = ffmpegChildOf(pid);
      const nowTicks = cpuTicksWithReapedChildren(pid) + (ffmpeg ? cpuTicks(ffmpeg) : 0);
      const seconds = (Date.now() - lastAt) / 1000;
      samples.push({
        minute: Math.round(((Date.now() - started) / 60_000) * 100) / 100,
        viewersWatching: counters.watching,
        sessionsSoFar: counters.sessions,
        cpuPct: Math.round(((nowTicks - ticks) / CLK_TCK / seconds) * 1000) / 10,
        nodeRssMb: Math.round(rssMb(pid)),
        ffmpegRssMb: ffmpeg ? Math.round(rssMb(ffmpeg)) : 0,
        openFds: openFds(pid),
        ffmpegPid: ffmpeg ?? '-',
        loadAverage: loadavg()[0]!,
      });
      // Next time the ffmpeg now live is counted again, live or reaped, so the difference holds.
      ticks = nowTicks;
      lastAt = Date.now();
      console.table([samples.at(-1)]);
    }
    outcomes = await Promise.all(viewers);
  } finally {
    streamer?.kill('SIGTERM');
    if (streamer) await new Promise((resolve) => streamer!.once('exit', resolve));
    cloud.close();
    await camera.stop();
  }
  reportSoak(minutes, samples, outcomes);
}

await main();

function reportSoak(
  minutes: number,
  samples: SoakSample[],
  outcomes: Awaited<ReturnType<typeof churningViewer>>[],
): void {
  console.log(`\nedge-streamer soak: ${minutes} min, ${SOAK_VIEWERS} viewers coming and going\n`);
  console.table(samples);
  // The first sample includes start-up (first pipeline, JIT); growth is measured from the second on.
  const [, first = samples[0]!] = samples;
  const last = samples.at(-1)!;
  const cpu = samples.map((s) => s.cpuPct).sort((a, b) => a - b);
  const summary = {
    viewerSessions: outcomes.reduce((n, o) => n + o.sessions, 0),
    failedSessions: outcomes.reduce((n, o) => n + o.failed, 0),
    framesReceived: outcomes.reduce((n, o) => n + o.frames, 0),
    errors: [...new Set(outcomes.flatMap((o) => o.errors))].slice(0, 10),
    cpuPctMedian: cpu[Math.floor(cpu.length / 2)]!,
    cpuPctMax: cpu.at(-1)!,
    nodeRssMbFirst: first.nodeRssMb,
    nodeRssMbLast: last.nodeRssMb,
    nodeRssMbMax: Math.max(...samples.map((s) => s.nodeRssMb)),
    nodeRssGrowthMb: last.nodeRssMb - first.nodeRssMb,
    ffmpegRssMbMax: Math.max(...samples.map((s) => s.ffmpegRssMb)),
    openFdsFirst: first.openFds,
    openFdsLast: last.openFds,
    fdGrowth: last.openFds - first.openFds,
    ffmpegProcessesSeen: new Set(samples.map((s) => s.ffmpegPid).filter((p) => p !== '-')).size,
    loadAverageMax: Math.max(...samples.map((s) => s.loadAverage)),
  };
  const verdict = {
    rssGrowth: summary.nodeRssGrowthMb <= SOAK_GOALS.rssGrowthMb,
    fdGrowth: summary.fdGrowth <= SOAK_GOALS.fdGrowth,
    failedSessions: summary.failedSessions <= SOAK_GOALS.failedSessions,
  };
  console.log(
    [
      `${summary.viewerSessions} viewer sessions, ${summary.failedSessions} failed (goal ${SOAK_GOALS.failedSessions}) ${ok(verdict.failedSessions)}`,
      `CPU (node + ffmpeg, share of one core): median ${summary.cpuPctMedian}%, max ${summary.cpuPctMax}%`,
      `node RSS ${summary.nodeRssMbFirst} -> ${summary.nodeRssMbLast} MB (max ${summary.nodeRssMbMax}; growth goal <= ${SOAK_GOALS.rssGrowthMb} MB) ${ok(verdict.rssGrowth)}`,
      `open descriptors ${summary.openFdsFirst} -> ${summary.openFdsLast} (growth goal <= ${SOAK_GOALS.fdGrowth}) ${ok(verdict.fdGrowth)}`,
      `ffmpeg RSS max ${summary.ffmpegRssMbMax} MB; ${summary.ffmpegProcessesSeen} ffmpeg process(es) seen; load average max ${summary.loadAverageMax.toFixed(2)} (2 shared cores)`,
    ].join('\n'),
  );
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  const file = path.join(REPO, 'bench/results/edge-soak.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), minutes, viewers: SOAK_VIEWERS, goals: SOAK_GOALS, summary, verdict, samples }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(REPO, file)}`);
}
