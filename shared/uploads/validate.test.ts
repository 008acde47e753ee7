import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { UploadRecord } from './records.ts';
import { inspect } from './validate.ts';
import { hasGpsTag, jpegWithGps, pngClaiming } from '../image/test-images.ts';

/** What validation decides from the bytes alone (the S3 and DynamoDB paths run in tests/uploads). */

const MAX_PIXELS = 40_000_000;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function record(bytes: Buffer, fields: Partial<UploadRecord> = {}): UploadRecord {
  return {
    pk: 'USER#u',
    sk: 'UPLOAD#u0',
    uploadId: 'u0',
    status: 'pending',
    method: 'POST',
    contentType: 'image/jpeg',
    size: bytes.length,
    createdAt: '',
    expiresAt: '',
    ...fields,
  };
}

const canvas = (width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: '#7a8b9c' } });

describe('inspect', () => {
  it('accepts a real JPEG, reports its size and the SHA-256 of the bytes received', async () => {
    const bytes = await canvas(320, 200).jpeg().toBuffer();
    const result = await inspect(bytes, record(bytes, { sha256: sha256(bytes).toUpperCase() }), MAX_PIXELS);
    assert.ok(result.ok);
    assert.equal(result.receivedSha256, sha256(bytes));
    assert.deepEqual([result.image.format, result.image.width, result.image.height], ['jpeg', 320, 200]);
  });

  it('strips EXIF, GPS included, from the stored copy', async () => {
    const bytes = await jpegWithGps();
    assert.ok(hasGpsTag((await sharp(bytes).metadata()).exif!), 'the input carries a GPS IFD');
    const result = await inspect(bytes, record(bytes), MAX_PIXELS);
    assert.ok(result.ok);
    const stored = await sharp(result.image.data).metadata();
    assert.equal(stored.exif, undefined);
    assert.equal(result.image.data.includes(Buffer.from('Exif\0\0', 'latin1')), false);
  });

  it('applies EXIF orientation, so width and height are those of the upright image', async () => {
    const bytes = await canvas(300, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const result = await inspect(bytes, record(bytes), MAX_PIXELS);
    assert.ok(result.ok);
    assert.deepEqual([result.image.width, result.image.height], [100, 300]);
  });

  const rejections: [string, () => Promise<[Buffer, Partial<UploadRecord>]>, string][] = [
    ['text declared as a JPEG', async () => [Buffer.from('not an image at all\n'), {}], 'NOT_AN_IMAGE'],
    [
      'a JPEG declared as a PNG',
      async () => [await canvas().jpeg().toBuffer(), { contentType: 'image/png' }],
      'TYPE_MISMATCH',
    ],
    [
      'a truncated JPEG',
      async () => {
        const whole = await canvas(640, 480).jpeg({ quality: 95 }).toBuffer();
        return [whole.subarray(0, Math.floor(whole.length / 2)), {}];
      },
      'UNDECODABLE',
    ],
    [
      'a size other than declared',
      async () => {
        const bytes = await canvas().png().toBuffer();
        return [bytes, { contentType: 'image/png', size: bytes.length + 1 }];
      },
      'SIZE_MISMATCH',
    ],
    [
      'a SHA-256 other than declared',
      async () => [await canvas().webp().toBuffer(), { contentType: 'image/webp', sha256: 'ab'.repeat(32) }],
      'SHA256_MISMATCH',
    ],
    [
      'a small file whose header claims more pixels than the limit',
      async () => [pngClaiming(10_000, 10_000), { contentType: 'image/png' }],
      'IMAGE_TOO_LARGE',
    ],
  ];
  for (const [what, make, reason] of rejections) {
    it(`rejects ${what}: ${reason}`, async () => {
      const [bytes, fields] = await make();
      assert.deepEqual(await inspect(bytes, record(bytes, fields), MAX_PIXELS), { ok: false, reason });
    });
  }
});
