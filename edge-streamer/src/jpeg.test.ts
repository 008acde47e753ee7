import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { JpegSplitter, jpegSize } from './jpeg.ts';

const jpeg = (width: number, height: number, seed: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: seed * 40, g: 90, b: 200 - seed * 30 } } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="${width}" height="${height}"><text x="5" y="20">${seed}</text></svg>`,
        ),
      },
    ])
    .jpeg({ quality: 80 })
    .toBuffer();

/** Inserts a COM segment holding FF D9 right after SOI: a false EOI inside a header segment. */
const withFalseEoi = (image: Buffer) =>
  Buffer.concat([
    image.subarray(0, 2),
    Buffer.from([0xff, 0xfe, 0x00, 0x06, 0x41, 0xff, 0xd9, 0x42]),
    image.subarray(2),
  ]);

function feed(splitter: JpegSplitter, stream: Buffer, chunkSizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < stream.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    out.push(...splitter.push(stream.subarray(pos, pos + size)));
    pos += size;
  }
  return out;
}

test('splits concatenated JPEGs whatever the chunking, skipping garbage', async () => {
  const images = [await jpeg(64, 48, 1), withFalseEoi(await jpeg(320, 200, 2)), await jpeg(17, 9, 3)];
  const stream = Buffer.concat([
    Buffer.from('noise\xff'),
    images[0]!,
    Buffer.from([0, 0xff]),
    images[1]!,
    images[2]!,
  ]);
  for (const chunks of [[1], [2, 3, 7], [1000], [stream.length]]) {
    const frames = feed(new JpegSplitter(), stream, chunks);
    assert.equal(frames.length, 3, `chunks ${chunks}`);
    frames.forEach((f, i) => assert.ok(f.equals(images[i]!), `frame ${i} with chunks ${chunks}`));
  }
  for (const f of feed(new JpegSplitter(), stream, [5])) assert.ok((await sharp(f).metadata()).width);
});

test('resynchronises after a truncated frame', async () => {
  const good = await jpeg(40, 30, 4);
  const truncated = (await jpeg(80, 60, 5)).subarray(0, 300);
  const frames = feed(new JpegSplitter(), Buffer.concat([truncated, good, good]), [64]);
  assert.equal(frames.length, 2);
  assert.ok(frames.every((f) => f.equals(good)));
});

test('drops a frame larger than the limit and recovers', async () => {
  const big = await jpeg(400, 400, 1);
  const small = await jpeg(20, 20, 2);
  const splitter = new JpegSplitter(big.length - 1);
  const frames = feed(splitter, Buffer.concat([big, small]), [256]);
  assert.deepEqual(
    frames.map((f) => f.length),
    [small.length],
  );
});

test('jpegSize reads the SOF header', async () => {
  assert.deepEqual(jpegSize(withFalseEoi(await jpeg(123, 45, 1))), { width: 123, height: 45 });
  assert.equal(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), undefined);
});
