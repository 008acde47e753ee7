import { get, type IncomingMessage } from 'node:http';

/**
 * A minimal MJPEG viewer for the tests and the benchmark (the service does not use it): reads a
 * multipart/x-mixed-replace response part by part, trusting each part's Content-Length as the
 * streamer promises, and records when each frame arrived.
 */
export interface ReceivedFrame {
  jpeg: Buffer;
  headers: Record<string, string>;
  /** Date.now() when the frame's last byte arrived. */
  receivedAt: number;
}

export class MjpegClient {
  /** The most recent frames, at most `keep` of them. */
  readonly frames: ReceivedFrame[] = [];
  /** Frames received so far. */
  received = 0;
  /** Called for every frame as it arrives. */
  onFrame: ((frame: ReceivedFrame) => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;

  private constructor(
    readonly res: IncomingMessage,
    private readonly keep: number,
  ) {
    res.on('data', (chunk: Buffer) => this.push(chunk));
    res.on('error', (e) => this.fail(e));
    res.on('close', () => this.fail(new Error('stream closed')));
  }

  /** Connects; resolves once the response headers are in, whatever the status. */
  static open(url: string, keep = 100): Promise<MjpegClient> {
    return new Promise((resolve, reject) => {
      get(url, (res) => resolve(new MjpegClient(res, keep))).on('error', reject);
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  /** Resolves with the kept frames once at least `count` frames have arrived in total. */
  async waitForFrames(count: number, timeoutMs = 10_000): Promise<ReceivedFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < count) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.received} of ${count} frames within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames;
  }

  close(): void {
    this.res.destroy();
  }

  private push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const headEnd = this.buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const headers: Record<string, string> = {};
      for (const line of this.buf.subarray(0, headEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        // Skips the CRLF and boundary line that precede a part's headers.
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length']);
      if (!Number.isInteger(length)) return this.fail(new Error('MJPEG part without Content-Length'));
      const bodyStart = headEnd + 4;
      if (this.buf.length < bodyStart + length) return;
      const jpeg = Buffer.from(this.buf.subarray(bodyStart, bodyStart + length));
      this.buf = this.buf.subarray(bodyStart + length);
      const frame = { jpeg, headers, receivedAt: Date.now() };
      this.received += 1;
      this.frames.push(frame);
      if (this.frames.length > this.keep) this.frames.shift();
      this.onFrame?.(frame);
      this.wake();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
