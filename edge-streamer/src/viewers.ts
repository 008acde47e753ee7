import type { ServerResponse } from 'node:http';
import type { Camera, Frame } from './camera.ts';

const BOUNDARY = 'facegateframe';
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${BOUNDARY}`;
/** Opens the first part; every frame then ends with the next boundary. */
const MJPEG_PREAMBLE = Buffer.from(`--${BOUNDARY}\r\n`);
const PART_TAIL = Buffer.from(`\r\n--${BOUNDARY}\r\n`);

interface Viewer {
  res: ServerResponse;
  lastSeq: number;
}

/**
 * The MJPEG viewers of one camera. Every viewer is sent the very same buffers (the JPEG from ffmpeg
 * and one part header per frame), so a viewer costs a socket write, never an encode.
 *
 * Backpressure: a frame is written to a viewer only when everything written before has reached the
 * kernel (`writableLength === 0`); otherwise the viewer skips it and gets the newest frame as soon as
 * its socket drains. A slow viewer therefore holds at most one frame in user space and sees fewer,
 * fresh frames instead of an ever-growing, ever-older queue.
 *
 * Each part ends with the next boundary: a client knows a frame is complete the moment its bytes
 * arrive, instead of waiting for the following frame to start.
 */
export class ViewerHub {
  readonly stats = { framesOut: 0, framesDropped: 0, bytesOut: 0 };
  private readonly viewers = new Set<Viewer>();
  private current: { frame: Frame; head: Buffer } | undefined;

  constructor(camera: Camera) {
    camera.on('frame', (frame) => {
      this.current = { frame, head: partHead(frame) };
      for (const viewer of this.viewers) this.send(viewer);
    });
    camera.on('down', () => (this.current = undefined));
  }

  get count(): number {
    return this.viewers.size;
  }

  /** Bytes written to viewers but not yet taken by their sockets. */
  queuedBytes(): number {
    let total = 0;
    for (const v of this.viewers) total += v.res.writableLength;
    return total;
  }

  /**
   * Adds a viewer whose response head is set, sends it the preamble and the newest frame at once,
   * and calls `onClose` when it goes away.
   */
  add(res: ServerResponse, onClose: () => void): void {
    const viewer: Viewer = { res, lastSeq: 0 };
    res.write(MJPEG_PREAMBLE);
    this.viewers.add(viewer);
    res.on('drain', () => this.send(viewer));
    res.once('close', () => {
      this.viewers.delete(viewer);
      onClose();
    });
    // The head and preamble are still queued (node batches them until the next tick): not a slow viewer.
    this.send(viewer, true);
  }

  private send(viewer: Viewer, first = false): void {
    const current = this.current;
    if (!current || current.frame.seq === viewer.lastSeq || viewer.res.destroyed) return;
    if (!first && viewer.res.writableLength > 0) {
      this.stats.framesDropped += 1;
      return;
    }
    const { frame, head } = current;
    viewer.res.cork();
    viewer.res.write(head);
    viewer.res.write(frame.jpeg);
    viewer.res.write(PART_TAIL);
    viewer.res.uncork();
    viewer.lastSeq = frame.seq;
    this.stats.framesOut += 1;
    this.stats.bytesOut += head.length + frame.jpeg.length + PART_TAIL.length;
  }
}

function partHead(frame: Frame): Buffer {
  return Buffer.from(`Content-Type: image/jpeg\r\nContent-Length: ${frame.jpeg.length}\r\n\r\n`);
}
