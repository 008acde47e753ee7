import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts and stops the GStreamer RTSP test camera (rtsp_server.py) from tests and benchmarks.
 * It runs under Debian's /usr/bin/python3, which has the `gi` bindings; the camera exits by itself
 * if the process that started it dies (it watches its stdin).
 */
export interface TestCameraOptions {
  port: number;
  path?: string;
  width?: number;
  height?: number;
  fps?: number;
  overlay?: 'time' | 'clock' | 'none';
  /** Paint the production time into each frame (see timecode.ts). */
  timecode?: boolean;
}

export interface TestCamera {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rtsp_server.py');
const PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3000;

export function startTestCamera(options: TestCameraOptions): Promise<TestCamera> {
  const args = [SERVER, '--port', String(options.port), '--exit-with-stdin'];
  if (options.path) args.push('--path', options.path);
  if (options.width) args.push('--width', String(options.width));
  if (options.height) args.push('--height', String(options.height));
  if (options.fps) args.push('--fps', String(options.fps));
  if (options.overlay) args.push('--overlay', options.overlay);
  if (options.timecode) args.push('--timecode');
  const proc = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-2000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`test camera on port ${options.port} ${why}${stderr ? `:\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS);
    proc.once('error', (e) => fail(`could not run ${PYTHON}: ${e.message}`));
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    proc.once('exit', onExit);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const ready = /^READY (\S+)$/m.exec(out);
      if (!ready) return;
      clearTimeout(timer);
      proc.off('exit', onExit);
      resolve({ url: ready[1]!, pid: proc.pid!, stop });
    });
  });
}
