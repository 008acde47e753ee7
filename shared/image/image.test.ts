import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { loadImage, normaliseImage, readImageHeader } from './load.ts';
import { parseImageField } from './parse.ts';
import { pngClaiming } from './test-images.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../tests/fixtures/faces/${name}`, import.meta.url));

const rejectsWith = async (promise: Promise<unknown>, status: number, code: string) =>
  assert.rejects(promise, (e: unknown) => e instanceof AppError && e.status === status && e.code === code);

const throwsWith = (fn: () => unknown, status: number, code: string) =>
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.status === status && e.code === code);

/** Left half red, right half blue. */
const halves = (width: number, height: number) => {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(i % width < width / 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
  return sharp(data, { raw: { width, height, channels: 3 } });
};

const pixel = (img: Awaited<ReturnType<typeof loadImage>>, x: number, y: number) => {
  const i = (y * img.pixels.width + x) * 3;
  return [...img.pixels.data.subarray(i, i + 3)];
};

describe('parseImageField', () => {
  it('decodes plain base64 and data URLs alike', () => {
    const png = fixture('misc/white.png');
    assert.deepEqual(parseImageField(png.toString('base64')), png);
    assert.deepEqual(parseImageField(`data:image/png;base64,${png.toString('base64')}`), png);
    assert.deepEqual(parseImageField(png.toString('base64url').replace(/=+$/, '')), png);
  });

  it('rejects empty, non-base64 and non-image data URLs with 415', () => {
    for (const value of [
      '',
      '   ',
      'data:image/png;base64,',
      '!!not base64!!',
      'abcde',
      'data:text/plain;base64,aGk=',
      'data:image/png,abc',
    ]) {
      throwsWith(() => parseImageField(value), 415, 'UNSUPPORTED_IMAGE');
    }
  });
});

describe('loadImage', () => {
  it('decodes JPEG, PNG and WebP to packed RGB with size, format and sha256', async () => {
    const jpeg = await loadImage(fixture('groups/bbt2.jpg'));
    assert.deepEqual([jpeg.format, jpeg.width, jpeg.height], ['jpeg', 675, 469]);
    assert.equal(jpeg.pixels.data.length, jpeg.pixels.width * jpeg.pixels.height * 3);
    assert.match(jpeg.sha256, /^[0-9a-f]{64}$/);
    const grey = await loadImage(fixture('misc/face1.png'));
    assert.deepEqual([grey.format, grey.pixels.data.length], ['png', 150 * 150 * 3]);
    const webp = await loadImage(await sharp(fixture('misc/face2.png')).webp().toBuffer());
    assert.deepEqual([webp.format, webp.width, webp.height], ['webp', 150, 150]);
  });

  it('trusts the bytes, not a declared type: a JPEG sent as image/png is a JPEG', async () => {
    const bytes = parseImageField(`data:image/png;base64,${fixture('groups/bbt3.jpg').toString('base64')}`);
    assert.equal((await loadImage(bytes)).format, 'jpeg');
  });

  it('rejects text declared as an image, garbage, GIF and empty input with 415', async () => {
    await rejectsWith(
      loadImage(parseImageField(`data:image/jpeg;base64,${Buffer.from('hello, world').toString('base64')}`)),
      415,
      'UNSUPPORTED_IMAGE',
    );
    await rejectsWith(
      loadImage(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')),
      415,
      'UNSUPPORTED_IMAGE',
    );
    await rejectsWith(loadImage(Buffer.alloc(0)), 415, 'UNSUPPORTED_IMAGE');
    await rejectsWith(loadImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), 415, 'UNSUPPORTED_IMAGE');
  });

  it('rejects a truncated JPEG with 415', async () => {
    const jpeg = fixture('groups/bbt1.jpg');
    await rejectsWith(loadImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 415, 'UNSUPPORTED_IMAGE');
  });

  it('rejects a PNG claiming 30000 x 30000 from its header, before decoding, with 413', async () => {
    const bomb = pngClaiming(30000, 30000);
    assert.ok(bomb.length < 100);
    await rejectsWith(readImageHeader(bomb), 413, 'IMAGE_TOO_LARGE');
    await rejectsWith(loadImage(bomb), 413, 'IMAGE_TOO_LARGE');
    const tooWide = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    await rejectsWith(loadImage(tooWide, { maxPixels: 50_000 }), 413, 'IMAGE_TOO_LARGE');
    assert.equal((await loadImage(tooWide, { maxPixels: 60_000 })).width, 300);
  });

  it('decodes a 1 x 1 image', async () => {
    const one = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const img = await loadImage(one);
    assert.deepEqual([img.width, img.height, [...img.pixels.data]], [1, 1, [128, 128, 128]]);
  });

  it('applies EXIF orientation 6: dimensions swap and the left half ends up on top', async () => {
    const jpeg = await halves(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(jpeg).metadata()).orientation, 6);
    const img = await loadImage(jpeg);
    assert.deepEqual([img.width, img.height], [200, 300]);
    const [top, bottom] = [pixel(img, 100, 20), pixel(img, 100, 280)];
    assert.ok(top[0]! > 200 && top[2]! < 60, `top is red: ${top}`);
    assert.ok(bottom[2]! > 200 && bottom[0]! < 60, `bottom is blue: ${bottom}`);
  });

  it('scales inference pixels down to the requested side, keeping the oriented size', async () => {
    const big = await sharp({ create: { width: 3000, height: 1500, channels: 3, background: '#123456' } })
      .jpeg()
      .toBuffer();
    const img = await loadImage(big, { inferenceMaxSide: 1000 });
    assert.deepEqual([img.width, img.height, img.pixels.width, img.pixels.height], [3000, 1500, 1000, 500]);
  });
});

describe('normaliseImage', () => {
  it('re-encodes oriented and without metadata', async () => {
    const jpeg = await halves(300, 200).jpeg().withMetadata({ orientation: 6, density: 300 }).toBuffer();
    const out = await normaliseImage(jpeg);
    const meta = await sharp(out.data).metadata();
    assert.deepEqual([out.format, out.width, out.height], ['jpeg', 200, 300]);
    assert.equal(meta.orientation, undefined);
    assert.equal(meta.exif, undefined);
    assert.match(out.sha256, /^[0-9a-f]{64}$/);
  });

  it('rejects what loadImage rejects', async () => {
    await rejectsWith(normaliseImage(Buffer.from('not an image')), 415, 'UNSUPPORTED_IMAGE');
    await rejectsWith(normaliseImage(pngClaiming(30000, 30000)), 413, 'IMAGE_TOO_LARGE');
  });
});
