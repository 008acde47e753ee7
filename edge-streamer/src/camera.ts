import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { CameraConfig } from './config.ts';
import { ffmpegArgs } from './ffmpeg.ts';
import { JpegSplitter, jpegSize } from './jpeg.ts';
import type { Logger } from './log.ts';
import { redact } from './redact.ts';

export type CameraStatus = 'online' | 'offline' | 'connecting';

export interface Frame {
  /** Increases by one per frame of this camera, across restarts. */
  seq: number;
  jpeg: Buffer;
  /** Date.now() when the frame left ffmpeg. */
  at: number;
}

export interface CameraOptions {
  config: CameraConfig;
  log: Logger;
  ffmpegPath: string;
  idleTimeoutMs: number;
  stallMs: number;
  connectTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
}

/** One ffmpeg run, with what we need to judge and report it once it ends. */
interface Run {
  proc: ChildProcess;
  startedAt: number;
  stderrTail: string[];
  /** Why we ended it ourselves, if we did. */
  killedFor?: 'idle' | 'stall' | 'shutdown';
  sawFrame: boolean;
  watchdog?: NodeJS.Timeout;
}

type Events = { frame: [Frame]; status: [CameraStatus]; down: [] };

const STDERR_LINES = 8;
const KILL_GRACE_MS = 2000;
const FPS_WINDOW = 16;

/**
 * Supervises the single ffmpeg process of one camera and keeps its newest frame.
 *
 * Demand-driven: `acquire()` starts the pipeline, the last `release()` arms the idle timer (unless
 * alwaysOn). While wanted, a crash, a stall (no frame for stallMs) or a failed connection leads to a
 * restart after an exponential backoff with jitter. Status: `connecting` from spawn to first frame,
 * `online` while frames flow, `offline` while waiting to retry. An idle stop keeps the status the
 * camera had (a camera that was streaming stays `online`), so the cloud does not show healthy
 * cameras as broken just because nobody watches them.
 */
export class Camera extends EventEmitter<Events> {
  status: CameraStatus = 'offline';
  latest: Frame | undefined;
  size: { width: number; height: number } | undefined;
  lastFrameAt: number | undefined;
  readonly stats = { framesIn: 0, bytesIn: 0, spawns: 0, restarts: 0 };

  private run: Run | undefined;
  private users = 0;
  private wanted = false;
  private failures = 0;
  private retryAt: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly frameTimes: number[] = [];

  constructor(private readonly opts: CameraOptions) {
    super();
    this.setMaxListeners(0); // one per waiting request
  }

  get id(): string {
    return this.opts.config.cameraId;
  }

  get config(): CameraConfig {
    return this.opts.config;
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /** Frames per second over the last few frames, while online. */
  get fps(): number | undefined {
    const t = this.frameTimes;
    if (this.status !== 'online' || t.length < 2) return undefined;
    return ((t.length - 1) * 1000) / Math.max(1, t[t.length - 1]! - t[0]!);
  }

  /** Seconds a client should wait before retrying while the camera is down. */
  retryAfterSeconds(): number {
    const wait = this.retryAt !== undefined ? this.retryAt - Date.now() : this.opts.backoff.maxMs;
    return Math.max(1, Math.ceil(wait / 1000));
  }

  /**
   * At boot: an alwaysOn camera starts for good; an on-demand one runs until the idle timeout, so
   * its reported status is first-hand and configuration mistakes show in the log at once.
   */
  start(): void {
    if (this.wanted) return;
    this.want();
    this.armIdle();
  }

  acquire(): void {
    this.users += 1;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.want();
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) this.armIdle();
  }

  /**
   * The newest frame; when the camera is starting, waits up to `timeoutMs` for its first one.
   * Undefined when none arrives in time or the camera is down.
   */
  waitForFrame(timeoutMs: number): Promise<Frame | undefined> {
    if (this.latest) return Promise.resolve(this.latest);
    if (!this.run || timeoutMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (frame?: Frame) => {
        clearTimeout(timer);
        this.off('frame', done);
        this.off('down', onDown);
        resolve(frame);
      };
      const onDown = () => done();
      const timer = setTimeout(done, timeoutMs);
      this.on('frame', done);
      this.on('down', onDown);
    });
  }

  /** Stops for good (service shutdown); resolves once ffmpeg has exited. */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
    const run = this.run;
    if (!run) return;
    const exited = new Promise((resolve) => run.proc.once('close', resolve));
    this.kill(run, 'shutdown');
    await exited;
  }

  private want(): void {
    this.wanted = true;
    if (!this.run && !this.retryTimer) this.spawn();
  }

  private armIdle(): void {
    if (this.config.alwaysOn) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.idleStop(), this.opts.idleTimeoutMs);
  }

  private idleStop(): void {
    this.idleTimer = undefined;
    // Let a starting camera finish connecting (or fail) first, so the status it keeps is first-hand.
    if (this.status === 'connecting') return this.armIdle();
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
    if (this.status !== 'online') this.setStatus('offline');
    if (this.run) this.kill(this.run, 'idle');
    this.opts.log.info('camera idle, stopped', { cameraId: this.id });
  }

  private spawn(): void {
    this.retryTimer = undefined;
    this.retryAt = undefined;
    this.setStatus('connecting');
    const proc = spawn(this.opts.ffmpegPath, ffmpegArgs(this.config), { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { proc, startedAt: Date.now(), stderrTail: [], sawFrame: false };
    this.run = run;
    this.stats.spawns += 1;
    this.opts.log.info('ffmpeg started', {
      cameraId: this.id,
      pid: proc.pid,
      source: redact(this.config.url),
    });

    const splitter = new JpegSplitter();
    proc.stdout!.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) this.onJpeg(run, jpeg);
    });
    let partial = '';
    proc.stderr!.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!.slice(-1000);
      for (const line of lines) if (line.trim()) run.stderrTail.push(line.slice(0, 1000));
      run.stderrTail.splice(0, run.stderrTail.length - STDERR_LINES);
    });
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      this.onExit(run, reason);
    };
    proc.on('error', (e) => end(`spawn failed: ${e.message}`));
    proc.on('close', (code, signal) => end(signal ? `signal ${signal}` : `exit code ${code}`));
    run.watchdog = setInterval(() => this.checkStall(run), 500);
  }

  private onJpeg(run: Run, jpeg: Buffer): void {
    if (this.run !== run) return;
    const now = Date.now();
    if (!run.sawFrame) {
      run.sawFrame = true;
      this.failures = 0;
      this.size = jpegSize(jpeg);
      this.setStatus('online');
    }
    this.lastFrameAt = now;
    this.stats.framesIn += 1;
    this.stats.bytesIn += jpeg.length;
    this.frameTimes.push(now);
    if (this.frameTimes.length > FPS_WINDOW) this.frameTimes.shift();
    this.seq += 1;
    this.latest = { seq: this.seq, jpeg, at: now };
    this.emit('frame', this.latest);
  }

  private checkStall(run: Run): void {
    if (run.killedFor) return;
    const now = Date.now();
    const silentFor = now - (run.sawFrame ? this.lastFrameAt! : run.startedAt);
    const limit = run.sawFrame ? this.opts.stallMs : this.opts.connectTimeoutMs;
    if (silentFor > limit) {
      this.opts.log.warn(run.sawFrame ? 'camera stalled' : 'camera did not deliver a first frame', {
        cameraId: this.id,
        silentMs: silentFor,
      });
      this.kill(run, 'stall');
    }
  }

  private kill(run: Run, why: NonNullable<Run['killedFor']>): void {
    run.killedFor ??= why;
    // A stalled ffmpeg may be stuck in a read: no grace. Otherwise let it send RTSP TEARDOWN,
    // which frees the camera's session slot at once.
    run.proc.kill(why === 'stall' ? 'SIGKILL' : 'SIGTERM');
    if (why === 'stall') return;
    const proc = run.proc;
    setTimeout(
      () => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'),
      KILL_GRACE_MS,
    ).unref();
  }

  private onExit(run: Run, reason: string): void {
    clearInterval(run.watchdog);
    if (this.run !== run) return;
    this.run = undefined;
    this.latest = undefined;
    this.frameTimes.length = 0;
    const planned = run.killedFor === 'idle' || run.killedFor === 'shutdown';
    if (!planned) {
      this.opts.log.warn('ffmpeg ended', {
        cameraId: this.id,
        reason: run.killedFor === 'stall' ? 'stalled' : reason,
        ranMs: Date.now() - run.startedAt,
        stderr: run.stderrTail.join('\n'),
      });
    }
    if (!this.wanted) {
      this.emit('down');
      return;
    }
    if (planned) {
      // Stopped for idleness while a viewer arrived: start again straight away.
      this.spawn();
      return;
    }
    this.stats.restarts += 1;
    const delay = backoffDelay(this.failures, this.opts.backoff);
    this.failures += 1;
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.spawn(), delay);
    this.setStatus('offline');
    this.emit('down');
  }

  private setStatus(status: CameraStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.opts.log.info('camera status', { cameraId: this.id, status });
    this.emit('status', status);
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, so restarts never synchronise. */
export function backoffDelay(
  failures: number,
  { initialMs, maxMs }: { initialMs: number; maxMs: number },
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
