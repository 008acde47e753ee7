/**
 * Splits a byte stream of concatenated JPEG images (ffmpeg's `-f mjpeg` output) into frames.
 *
 * It follows the JPEG structure instead of searching for the EOI bytes blindly: header segments are
 * skipped by their length (a quantisation table may legally contain FF D9), and in entropy-coded
 * data 0xFF is always followed by 0x00 (stuffing) or a restart marker, so the first other marker
 * after the scan header ends the scan. Bytes before an SOI are discarded, so the splitter
 * resynchronises after garbage; a frame larger than `maxFrameBytes` is dropped.
 */
export class JpegSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private start = -1; // offset of the current frame's SOI, -1 while looking for one
  private pos = 0; // next byte to examine
  private inScan = false;

  constructor(private readonly maxFrameBytes = 16 * 1024 * 1024) {}

  /** Feeds a chunk and returns the frames it completed (each a standalone copy). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const end = this.start < 0 ? this.findStart() : this.findEnd();
      if (end === 'more') break;
      if (end !== 'resync' && end - this.start <= this.maxFrameBytes) {
        frames.push(Buffer.from(this.buf.subarray(this.start, end)));
      }
      this.buf = this.buf.subarray(end === 'resync' ? this.pos : end);
      this.start = -1;
      this.pos = 0;
    }
    if (this.start > 0) {
      // Drop what precedes the frame so the buffer holds at most one partial frame.
      this.buf = this.buf.subarray(this.start);
      this.pos -= this.start;
      this.start = 0;
    }
    if (this.buf.length > this.maxFrameBytes) this.reset();
    return frames;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.start = -1;
    this.pos = 0;
    this.inScan = false;
  }

  /** Looks for SOI; keeps a trailing 0xFF that may begin one. */
  private findStart(): 'more' | 'resync' | number {
    const soi = this.buf.indexOf(SOI, this.pos);
    if (soi < 0) {
      this.pos = Math.max(0, this.buf.length - 1);
      return this.pos > 0 ? 'resync' : 'more';
    }
    this.start = soi;
    this.pos = soi + 2;
    this.inScan = false;
    return this.findEnd();
  }

  /** Walks segments (or scan data) from `pos`; returns the offset just past EOI when found. */
  private findEnd(): 'more' | 'resync' | number {
    const b = this.buf;
    for (;;) {
      if (this.inScan) {
        const ff = b.indexOf(0xff, this.pos);
        if (ff < 0 || ff + 1 >= b.length) {
          this.pos = ff < 0 ? b.length : ff;
          return 'more';
        }
        const next = b[ff + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
          this.pos = ff + 2; // stuffed byte or restart marker: still in the scan
          continue;
        }
        if (next === 0xff) {
          this.pos = ff + 1; // fill byte
          continue;
        }
        this.inScan = false; // a marker: EOI, or the next segment of a multi-scan image
        this.pos = ff;
      }
      if (this.pos + 1 >= b.length) return 'more';
      if (b[this.pos] !== 0xff) return this.abandon();
      const marker = b[this.pos + 1]!;
      if (marker === 0xff) {
        this.pos += 1;
        continue;
      }
      if (marker === 0xd9) return this.pos + 2;
      if (marker === 0xd8) return this.abandon(); // SOI inside a frame: the previous one was cut short
      if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        this.pos += 2;
        continue;
      }
      if (this.pos + 3 >= b.length) return 'more';
      const length = b.readUInt16BE(this.pos + 2);
      if (length < 2) return this.abandon();
      if (this.pos + 2 + length > b.length) return 'more';
      this.pos += 2 + length;
      if (marker === 0xda) this.inScan = true;
    }
  }

  /** Gives up on the current frame and resumes the SOI search just after its start. */
  private abandon(): 'resync' {
    this.pos = this.start + 1;
    this.start = -1;
    this.inScan = false;
    return 'resync';
  }
}

const SOI = Buffer.from([0xff, 0xd8]);

/** Width and height from a JPEG's SOF header, or undefined when there is none. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  let pos = 2;
  while (pos + 9 < jpeg.length) {
    if (jpeg[pos] !== 0xff) return undefined;
    const marker = jpeg[pos + 1]!;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: jpeg.readUInt16BE(pos + 5), width: jpeg.readUInt16BE(pos + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    pos += 2 + jpeg.readUInt16BE(pos + 2);
  }
  return undefined;
}
