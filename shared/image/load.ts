import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { AppError } from '../errors.ts';
import { unsupportedImage } from './parse.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;
/** Longest side inference runs at: detectors work at <= 640 px, crops for face models need ~ 200 px per face. */
export const DEFAULT_INFERENCE_MAX_SIDE = 1280;

export interface RgbPixels {
  /** Packed 8-bit RGB, row-major, no padding: `width * height * 3` bytes. */
  data: Buffer;
  width: number;
  height: number;
}

export interface LoadedImage {
  format: ImageFormat;
  /** Size after EXIF orientation: the coordinate space of every box the API returns. */
  width: number;
  height: number;
  /** Hex SHA-256 of the bytes as received (cache and replay keys). */
  sha256: string;
  /**
   * The oriented image, downscaled to fit `inferenceMaxSide` (never upscaled): multiply coordinates in it
   * by `width / pixels.width` (and `height / pixels.height`) to get image coordinates.
   */
  pixels: RgbPixels;
}

export interface LoadImageOptions {
  /** Pixel limit (width x height) checked from the header before decoding; default 40 MP. */
  maxPixels?: number;
  inferenceMaxSide?: number;
  /** The image's SHA-256 when the caller already has it (see ImageInput); else computed here. */
  sha256?: string;
}

export function sniffFormat(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface ImageHeader {
  format: ImageFormat;
  /** Oriented size. */
  width: number;
  height: number;
  /** EXIF orientation 1..8 (1 when absent). */
  orientation: number;
}

/**
 * Reads format and size from the header only (nothing is decoded) and enforces the pixel limit, so a
 * small file claiming 30000 x 30000 pixels costs microseconds, not gigabytes.
 */
export async function readImageHeader(
  bytes: Buffer,
  maxPixels = DEFAULT_MAX_IMAGE_PIXELS,
): Promise<ImageHeader> {
  const format = sniffFormat(bytes);
  if (!format) throw unsupportedImage('The data is not a JPEG, PNG or WebP image.');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupportedImage(`The ${format.toUpperCase()} image cannot be read.`);
  }
  const { width, height } = meta;
  if (meta.format !== format || !width || !height) {
    throw unsupportedImage(`The ${format.toUpperCase()} image cannot be read.`);
  }
  if (width * height > maxPixels) {
    throw new AppError('IMAGE_TOO_LARGE', `The image has more than ${maxPixels} pixels.`, {
      width,
      height,
      maxPixels,
    });
  }
  const orientation = meta.orientation ?? 1;
  const swapped = orientation >= 5 && orientation <= 8;
  return { format, width: swapped ? height : width, height: swapped ? width : height, orientation };
}

/** A sharp pipeline that refuses oversized or damaged input (truncated data is an error, not grey). */
function strictSharp(bytes: Buffer, maxPixels: number) {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' });
}

/** Validates, orients and decodes an image for the face engine. Errors: 415 UNSUPPORTED_IMAGE, 413 IMAGE_TOO_LARGE. */
export async function loadImage(bytes: Buffer, options: LoadImageOptions = {}): Promise<LoadedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const maxSide = options.inferenceMaxSide ?? DEFAULT_INFERENCE_MAX_SIDE;
  const header = await readImageHeader(bytes, maxPixels);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await strictSharp(bytes, maxPixels)
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw unsupportedImage(`The ${header.format.toUpperCase()} image is damaged or cannot be decoded.`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw unsupportedImage('The image has an unsupported colour layout.');
  return {
    format: header.format,
    width: header.width,
    height: header.height,
    sha256: options.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
    pixels: { data, width: info.width, height: info.height },
  };
}

export interface NormalisedImage {
  data: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  sha256: string;
}

/**
 * Re-encodes an image in its own format with EXIF orientation applied and all metadata (EXIF, GPS, XMP,
 * ICC) dropped: what upload validation stores in place of the client's file.
 */
export async function normaliseImage(
  bytes: Buffer,
  maxPixels = DEFAULT_MAX_IMAGE_PIXELS,
): Promise<NormalisedImage> {
  const header = await readImageHeader(bytes, maxPixels);
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await strictSharp(bytes, maxPixels)
      .rotate()
      .toFormat(header.format, header.format === 'jpeg' ? { quality: 90, mozjpeg: true } : {})
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw unsupportedImage(`The ${header.format.toUpperCase()} image is damaged or cannot be decoded.`);
  }
  return {
    data: out.data,
    format: header.format,
    width: out.info.width,
    height: out.info.height,
    sha256: createHash('sha256').update(out.data).digest('hex'),
  };
}
