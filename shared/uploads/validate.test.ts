import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { UploadRecord } from './records.ts';
import { inspect } from './validate.ts';

/** What validation decides from the bytes alone (the S3 and DynamoDB paths run in tests/uploads). */

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

/** A JPEG carrying EXIF with a GPS position (IFD3), as a phone writes it. */
const jpegWithGps = () =>
  canvas()
    .jpeg()
    .withExif({
      IFD0: { Make: 'facegate-test' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2964/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 17/1 4026/100',
      },
    })
    .toBuffer();

/** A PNG whose header claims `width` x `height` pixels, with (far too little) image data after it. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The GPS IFD pointer tag (0x8825), in either byte order. */
const hasGpsTag = (exif: Buffer) =>
  exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));

describe('inspect', () => {
  it('accepts a real JPEG, reports its size and the SHA-256 of the bytes received', async () => {
    const bytes = await canvas(320, 200).jpeg().toBuffer();
    const result = await inspect(bytes, record(bytes, { sha256: sha256(bytes).toUpperCase() }));
    assert.ok(result.ok);
    assert.equal(result.receivedSha256, sha256(bytes));
    assert.deepEqual([result.image.format, result.image.width, result.image.height], ['jpeg', 320, 200]);
  });

  it('strips EXIF, GPS included, from the stored copy', async () => {
    const bytes = await jpegWithGps();
    assert.ok(hasGpsTag((await sharp(bytes).metadata()).exif!), 'the input carries a GPS IFD');
    const result = await inspect(bytes, record(bytes));
    assert.ok(result.ok);
    const stored = await sharp(result.image.data).metadata();
    assert.equal(stored.exif, undefined);
    assert.equal(result.image.data.includes(Buffer.from('Exif\0\0', 'latin1')), false);
  });

  it('applies EXIF orientation, so width and height are those of the upright image', async () => {
    const bytes = await canvas(300, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const result = await inspect(bytes, record(bytes));
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
      assert.deepEqual(await inspect(bytes, record(bytes, fields)), { ok: false, reason });
    });
  }
});
