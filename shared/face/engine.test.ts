import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { loadImage } from '../image/load.ts';
import { EMOTIONS, type DetectedFace, type DetectOptions } from './engine.ts';
import { getFaceEngine } from './default-engine.ts';

/** dlib's published decision point (Euclidean 0.6) on our similarity scale: a descriptor quality check. */
const DLIB_DECISION = 0.5;

/**
 * Accuracy of the embedded engine on tests/fixtures/faces (README there): one engine per test file.
 * Thresholds are the shipped constants; nothing here is tuned on the fixtures.
 */
const root = new URL('../../tests/fixtures/faces/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, root));
const engine = getFaceEngine();
const detect = async (bytes: Buffer, options?: DetectOptions) =>
  engine.detect(await loadImage(bytes), options);

const PEOPLE = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];
const FEMALE = new Set(['amy', 'bernadette', 'penny']);
const crops = PEOPLE.flatMap((person) =>
  readdirSync(new URL(`${person}/`, root))
    .filter((f) => f.endsWith('.png'))
    .map((file) => ({ person, file: `${person}/${file}` })),
);

const area = (f: DetectedFace) => f.box.width * f.box.height;
const inside = (p: { x: number; y: number }, f: DetectedFace) =>
  p.x >= f.box.x && p.x <= f.box.x + f.box.width && p.y >= f.box.y && p.y <= f.box.y + f.box.height;

function assertWellFormed(face: DetectedFace, width: number, height: number) {
  const { box } = face;
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 1e-6 && box.y + box.height <= height + 1e-6,
    'box inside image',
  );
  assert.ok(face.score > 0 && face.score <= 1);
  for (const [name, p] of Object.entries(face.landmarks)) assert.ok(inside(p, face), `${name} inside box`);
  assert.ok(face.landmarks.leftEye.x < face.landmarks.rightEye.x, 'leftEye is on the image left');
  assert.ok(face.age > 0 && face.age < 100);
  assert.ok(face.gender.score >= 0.5 && face.gender.score <= 1);
  assert.ok(EMOTIONS.includes(face.emotion.value));
  const total = Object.values(face.emotion.scores).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(total - 1) < 0.01, `emotion scores sum to 1 (${total})`);
  for (const angle of Object.values(face.pose)) assert.ok(Math.abs(angle) <= 180);
  assert.equal(face.quality.faceSize, Math.min(box.width, box.height));
  for (const v of [face.quality.sharpness, face.quality.brightness]) assert.ok(v >= 0 && v <= 1);
}

describe('face engine on the fixture faces', () => {
  const descriptors = new Map<string, Float32Array>();
  const genders = new Map<string, string>();

  before(async () => {
    await engine.warmup();
  });

  it('finds exactly one face in each of the 40 person crops, with a unit descriptor', async () => {
    for (const { file } of crops) {
      const { faces, imageWidth, imageHeight } = await detect(fixture(file), { withDescriptor: true });
      assert.equal(faces.length, 1, file);
      assertWellFormed(faces[0]!, imageWidth, imageHeight);
      const d = faces[0]!.descriptor!;
      assert.equal(d.length, engine.model.descriptorLength);
      assert.ok(Math.abs(Math.hypot(...d) - 1) < 1e-4);
      descriptors.set(file, d);
      genders.set(file, faces[0]!.gender.value);
    }
    assert.equal(descriptors.size, 40);
  });

  it('decides >= 99 % of the 780 crop pairs right at the shipped threshold', (t) => {
    let right = 0;
    let pairs = 0;
    for (let i = 0; i < crops.length; i++) {
      for (let j = i + 1; j < crops.length; j++) {
        const similarity = engine.similarity(
          descriptors.get(crops[i]!.file)!,
          descriptors.get(crops[j]!.file)!,
        );
        assert.ok(similarity >= 0 && similarity <= 1);
        if (similarity >= DLIB_DECISION === (crops[i]!.person === crops[j]!.person)) right++;
        pairs++;
      }
    }
    t.diagnostic(
      `pairs right: ${right}/${pairs} = ${((100 * right) / pairs).toFixed(2)} % at ${DLIB_DECISION}`,
    );
    assert.equal(pairs, 780);
    assert.ok(right / pairs >= 0.99, `${right}/${pairs}`);
  });

  it('ranks a crop of the same person first for each of the 40 crops (1:N)', () => {
    for (const { person, file } of crops) {
      const best = crops
        .filter((c) => c.file !== file)
        .map((c) => ({
          person: c.person,
          s: engine.similarity(descriptors.get(file)!, descriptors.get(c.file)!),
        }))
        .sort((a, b) => b.s - a.s)[0]!;
      assert.equal(best.person, person, file);
    }
  });

  it('tells the three women from the five men', () => {
    const wrong = crops.filter(({ person, file }) => (genders.get(file) === 'female') !== FEMALE.has(person));
    assert.deepEqual(wrong, []);
  });

  it('finds no face in a blank image or a 1 x 1 image', async () => {
    assert.equal((await detect(fixture('misc/white.png'))).faces.length, 0);
    const one = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#c0a080' } })
      .png()
      .toBuffer();
    assert.deepEqual(await detect(one, { withDescriptor: true, withLiveness: true }), {
      imageWidth: 1,
      imageHeight: 1,
      faces: [],
    });
  });

  it('finds the 6 faces of misc/faces.jpg and the 4 of groups/bbt1.jpg, largest first, landmarks in boxes', async () => {
    for (const [file, count] of [
      ['misc/faces.jpg', 6],
      ['groups/bbt1.jpg', 4],
    ] as const) {
      const { faces, imageWidth, imageHeight } = await detect(fixture(file), { withDescriptor: true });
      assert.equal(faces.length, count, file);
      faces.forEach((f) => assertWellFormed(f, imageWidth, imageHeight));
      for (let i = 1; i < faces.length; i++)
        assert.ok(area(faces[i - 1]!) >= area(faces[i]!), 'sorted by size');
    }
  });

  it('keeps the largest faces when maxFaces is lower', async () => {
    const all = (await detect(fixture('misc/faces.jpg'))).faces;
    const two = (await detect(fixture('misc/faces.jpg'), { maxFaces: 2 })).faces;
    assert.deepEqual(
      two.map((f) => f.box),
      all.slice(0, 2).map((f) => f.box),
    );
  });

  it('reports boxes in the EXIF-oriented frame', async () => {
    const upright = await sharp(fixture('groups/bbt2.jpg')).rotate(90).jpeg().toBuffer();
    const tagged = await sharp(fixture('groups/bbt2.jpg')).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const [a, b] = [await detect(upright), await detect(tagged)];
    assert.deepEqual([b.imageWidth, b.imageHeight], [469, 675]);
    assert.equal(b.faces.length, a.faces.length);
    b.faces.forEach((f, i) => {
      for (const k of ['x', 'y', 'width', 'height'] as const)
        assert.ok(Math.abs(f.box[k] - a.faces[i]!.box[k]) < 4, k);
    });
  });

  it('maps boxes back from the downscaled inference image', async () => {
    const small = await detect(fixture('misc/faces.jpg'));
    const big = await detect(
      await sharp(fixture('misc/faces.jpg')).resize(1775).jpeg({ quality: 95 }).toBuffer(),
    );
    assert.equal(big.imageWidth, 1775);
    assert.equal(big.faces.length, small.faces.length);
    big.faces.forEach((f, i) => {
      const s = small.faces[i]!.box;
      assert.ok(Math.abs(f.box.x / 2.5 - s.x) < 4 && Math.abs(f.box.width / 2.5 - s.width) < 4);
    });
  });

  it('gives pose signs that follow the image: mirrored yaw and roll flip, a 20 degree turn adds roll', async () => {
    const base = (await detect(fixture('stuart/stuart5.png'))).faces[0]!;
    const mirrored = (await detect(await sharp(fixture('stuart/stuart5.png')).flop().png().toBuffer()))
      .faces[0]!;
    assert.ok(base.pose.yaw < -15 && mirrored.pose.yaw > 15, `yaw ${base.pose.yaw} / ${mirrored.pose.yaw}`);
    const level = (await detect(fixture('expressions/angry.jpg'))).faces[0]!;
    const tilted = (
      await detect(
        await sharp(fixture('expressions/angry.jpg')).rotate(20, { background: '#808080' }).jpeg().toBuffer(),
      )
    ).faces[0]!;
    assert.ok(
      Math.abs(tilted.pose.roll - level.pose.roll - 20) < 6,
      `roll ${level.pose.roll} -> ${tilted.pose.roll}`,
    );
  });

  it('scores a blurred or darkened face lower on sharpness or brightness', async () => {
    const base = (await detect(fixture('raj/raj2.png'))).faces[0]!.quality;
    const blurred = (await detect(await sharp(fixture('raj/raj2.png')).blur(2).png().toBuffer())).faces[0]!
      .quality;
    const dark = (await detect(await sharp(fixture('raj/raj2.png')).linear(0.4, 0).png().toBuffer()))
      .faces[0]!.quality;
    assert.ok(blurred.sharpness < base.sharpness - 0.2, `${base.sharpness} -> ${blurred.sharpness}`);
    assert.ok(dark.brightness < base.brightness - 0.2, `${base.brightness} -> ${dark.brightness}`);
  });

  it('reads clear expressions', async () => {
    for (const [file, emotion] of [
      ['expressions/happy.jpg', 'happy'],
      ['expressions/surprised.jpg', 'surprise'],
      ['expressions/angry.jpg', 'angry'],
    ]) {
      assert.equal((await detect(fixture(file!))).faces[0]!.emotion.value, emotion, file);
    }
  });

  it('frees every tensor it allocates, also under concurrent calls', async () => {
    const images = await Promise.all(
      ['groups/bbt1.jpg', 'misc/white.png', 'leonard/leonard5.png'].map((f) => loadImage(fixture(f))),
    );
    const before = tf.memory().numTensors;
    await Promise.all(
      images.map((image) => engine.detect(image, { withDescriptor: true, withLiveness: true })),
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('adds liveness scores only when asked', async () => {
    const plain = (await detect(fixture('misc/face2.png'))).faces[0]!;
    const live = (await detect(fixture('misc/face2.png'), { withLiveness: true })).faces[0]!;
    assert.equal(plain.liveness, undefined);
    assert.equal(plain.descriptor, undefined);
    for (const v of Object.values(live.liveness!)) assert.ok(v >= 0 && v <= 1);
  });
});

describe('similarity', () => {
  it('is 1 for identical descriptors, symmetric, and consistent with similarityFromCosine', () => {
    const a = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) + 0.05 * Math.cos(3 * i));
    assert.ok(Math.abs(engine.similarity(a, a) - 1) < 1e-6);
    assert.equal(engine.similarity(a, b), engine.similarity(b, a));
    const dot = a.reduce((s, v, i) => s + v * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
    assert.ok(Math.abs(engine.similarityFromCosine(dot) - engine.similarity(a, b)) < 1e-9);
    const scale = [-1, 0, 0.5, 0.8, 0.9, 0.95, 1].map((c) => engine.similarityFromCosine(c));
    for (let i = 1; i < scale.length; i++) assert.ok(scale[i]! >= scale[i - 1]!, 'monotonic');
    assert.equal(scale[0], 0);
  });

  it('refuses descriptors of different lengths', () => {
    assert.throws(
      () => engine.similarity(new Float32Array(128), new Float32Array(1024)),
      (e: unknown) => e instanceof AppError && e.code === 'DESCRIPTOR_MISMATCH',
    );
  });
});
