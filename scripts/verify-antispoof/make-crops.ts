/**
 * Dev-only: writes the test inputs that scripts/verify-antispoof/reference.py reads (run this first, then
 * the reference, when the crop code or the fixtures change):
 *
 *   node --import tsx scripts/verify-antispoof/make-crops.ts && /usr/bin/python3 scripts/verify-antispoof/reference.py
 *
 * - testdata/face-<scale>.bgr: 80x80x3 uint8 BGR model inputs cut by our crop code (contextCrop) around the
 *   largest face of tests/fixtures/faces/groups/bbt1.jpg, one per model scale;
 * - testdata/crop-source.rgb + .json: a small RGB image and a few face boxes, for the reference to crop the
 *   upstream way (box arithmetic + cv2-style bilinear resize) and the test to compare with contextCrop.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { contextCrop, PAD_MODELS } from '../../shared/face/antispoof/pad.ts';
import { getFaceEngine } from '../../shared/face/default-engine.ts';
import { loadImage } from '../../shared/image/load.ts';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'shared/face/antispoof/testdata');
mkdirSync(out, { recursive: true });

const image = await loadImage(readFileSync(path.join(root, 'tests/fixtures/faces/groups/bbt1.jpg')));
const { faces } = await getFaceEngine().detect(image, { maxFaces: 1 });
const k = image.pixels.width / image.width;
const b = faces[0]!.box;
const box = { x: b.x * k, y: b.y * k, width: b.width * k, height: b.height * k };
const input = tf.tensor4d(new Float32Array(image.pixels.data), [
  1,
  image.pixels.height,
  image.pixels.width,
  3,
]);
for (const m of PAD_MODELS) {
  const crop = tf.tidy(() =>
    tf.cast(tf.round(tf.clipByValue(contextCrop(input, box, m.scale), 0, 255)), 'int32'),
  );
  writeFileSync(path.join(out, `face-${m.scale.toFixed(1)}.bgr`), Uint8Array.from(await crop.data()));
  crop.dispose();
}
input.dispose();

// A 160x90 copy of expressions/happy.jpg (500x282): faces near the middle and boxes that hit the edges.
const { data, info } = await sharp(path.join(root, 'tests/fixtures/faces/expressions/happy.jpg'))
  .resize(160, 90, { fit: 'fill' })
  .removeAlpha()
  .raw()
  .toBuffer({ resolveWithObject: true });
writeFileSync(path.join(out, 'crop-source.rgb'), data);
const cases = [
  { bbox: [62.4, 18.3, 41.7, 47.9], scale: 2.7 }, // centred, downscaled to 80
  { bbox: [62.4, 18.3, 41.7, 47.9], scale: 4.0 }, // limited by the image height, shifted
  { bbox: [3.5, 60.2, 20.1, 22.8], scale: 2.7 }, // bottom-left corner: shifted inside
  { bbox: [120.0, 5.0, 12.0, 14.0], scale: 2.7 }, // small: upscaled to 80
];
writeFileSync(
  path.join(out, 'crop-source.json'),
  JSON.stringify(
    { source: 'expressions/happy.jpg resized to 160x90', width: info.width, height: info.height, cases },
    null,
    1,
  ) + '\n',
);
console.log(
  `wrote ${path.relative(root, out)}: face-*.bgr (box ${box.width.toFixed(0)}x${box.height.toFixed(0)}), crop-source.*`,
);
