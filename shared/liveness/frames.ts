import { sha256Hex } from '../auth/crypto.ts';
import { AppError, isAppError } from '../errors.ts';
import { loadImage, type LoadedImage } from '../image/load.ts';
import { parseImageField } from '../image/parse.ts';

/** Per-frame limits of a verify burst: small camera frames, not photos. */
export const MAX_FRAME_BYTES = 300 * 1024;
export const MAX_FRAME_PIXELS = 4_000_000;
/** Thumbnail side for spotting duplicated frames. */
const THUMB = 16;

export interface Frame {
  index: number;
  t: number;
  image: LoadedImage;
  sha256: string;
  /** THUMB x THUMB mean grey levels, for spotting the same frame re-encoded. */
  thumb: Float32Array;
}

function thumbnail({ pixels }: LoadedImage): Float32Array {
  const out = new Float32Array(THUMB * THUMB);
  const counts = new Uint32Array(THUMB * THUMB);
  const { width, height, data } = pixels;
  for (let y = 0; y < height; y++) {
    const row = Math.min(THUMB - 1, Math.floor((y * THUMB) / height)) * THUMB;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const cell = row + Math.min(THUMB - 1, Math.floor((x * THUMB) / width));
      out[cell]! += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      counts[cell]!++;
    }
  }
  return out.map((v, i) => v / (counts[i] || 1));
}

/** Decodes every frame before anything else happens, so bad input never uses up the session. */
export async function decodeFrames(frames: { image: string; t: number }[]): Promise<Frame[]> {
  return Promise.all(
    frames.map(async ({ image, t }, index) => {
      try {
        const bytes = parseImageField(image);
        if (bytes.length > MAX_FRAME_BYTES) {
          throw new AppError('FRAME_TOO_LARGE', `Frame ${index} is larger than ${MAX_FRAME_BYTES} bytes.`);
        }
        const loaded = await loadImage(bytes, { maxPixels: MAX_FRAME_PIXELS });
        return { index, t, image: loaded, sha256: sha256Hex(bytes), thumb: thumbnail(loaded) };
      } catch (e) {
        if (isAppError(e)) throw new AppError(e.code, e.message, { ...e.details, frame: index }, e.headers);
        throw e;
      }
    }),
  );
}

/**
 * Frames that repeat an earlier one: the same bytes, or the same picture re-encoded (every thumbnail
 * cell within one grey level). Live video never repeats itself this exactly; a looped clip does.
 */
export function duplicateFrames(frames: Frame[]): number[] {
  const same = (a: Frame, b: Frame) =>
    a.sha256 === b.sha256 || a.thumb.every((v, i) => Math.abs(v - b.thumb[i]!) <= 1);
  return frames.filter((f, i) => frames.slice(0, i).some((g) => same(f, g))).map((f) => f.index);
}

/**
 * Timestamps a real capture cannot have: not starting at 0, not increasing by at least 20 ms (no
 * phone camera delivers faster than 50 fps), a burst too short for the asked actions (250 ms each), or
 * longer than the time since the session was created (plus 2 s for clock and network slack).
 */
export function impossibleTiming(frames: Frame[], actionCount: number, sessionAgeMs: number): boolean {
  const t = frames.map((f) => f.t);
  if (t[0] !== 0) return true;
  for (let i = 1; i < t.length; i++) if (t[i]! - t[i - 1]! < 20) return true;
  const span = t[t.length - 1]!;
  return span < 250 * actionCount || span > sessionAgeMs + 2000;
}
