import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { type DetectedFace } from '../../shared/face/engine.ts';
import { getFaceEngine } from '../../shared/face/default-engine.ts';
import { loadImage } from '../../shared/image/load.ts';
import { challengeFrames, FacePuppet, type Expression } from './face-puppet.ts';
import { fixture } from './fixtures.ts';

/**
 * The face puppet re-renders real fixture faces turned, nodded, blinking and with the mouth open; the
 * engine must read back what was asked, and the same person. Engine only (no stack). Figures per
 * person are printed (diagnostic lines) and renders are left in test-artifacts/face-puppet/.
 *
 * Eyes: FaceMesh's eye aspect hardly follows a closed eye, real or drawn: even with the eye painted
 * out it reads ~0.6-0.8 of the open value (see the report in the puppet's commit), so the bound here
 * is what the engine can show, not the 55 % a blink rule would like.
 */

const engine = getFaceEngine();
const artifacts = path.resolve(import.meta.dirname, '../../test-artifacts/face-puppet');
/** Frontal fixtures of three different people whose lips FaceMesh follows when opened. */
const PEOPLE = ['raj/raj1.png', 'penny/penny2.png', 'expressions/neutral.jpg'];

async function read(puppet: FacePuppet, expression: Expression, name: string): Promise<DetectedFace> {
  const png = await puppet.png(expression);
  await writeFile(path.join(artifacts, `${name}.png`), png);
  const { faces } = await engine.detect(await loadImage(png), { maxFaces: 2, withDescriptor: true });
  assert.equal(faces.length, 1, `${name}: one face`);
  return faces[0]!;
}

describe('face puppet', { concurrency: false }, () => {
  before(async () => {
    await mkdir(artifacts, { recursive: true });
    await engine.warmup();
  });

  for (const person of PEOPLE) {
    it(
      `renders ${person} turned, nodded, blinking and with the mouth open`,
      { timeout: 120_000 },
      async (t) => {
        const puppet = await FacePuppet.create(fixture(person));
        const name = path.basename(person).replace(/\.\w+$/, '');
        const neutral = await read(puppet, {}, `${name}-neutral`);
        const left = await read(puppet, { yaw: 25 }, `${name}-yaw+25`);
        const right = await read(puppet, { yaw: -25 }, `${name}-yaw-25`);
        const down = await read(puppet, { pitch: 20 }, `${name}-pitch+20`);
        const closed = await read(puppet, { eyesClosed: 1 }, `${name}-eyes-closed`);
        const open = await read(puppet, { mouthOpen: 1 }, `${name}-mouth-open`);
        const similarity = (f: DetectedFace) => engine.similarity(f.descriptor!, puppet.face.descriptor!);
        const figures = {
          yawLeft: left.pose.yaw - neutral.pose.yaw,
          yawRight: right.pose.yaw - neutral.pose.yaw,
          pitchDown: down.pose.pitch - neutral.pose.pitch,
          eyes: `${closed.openness.eyes.toFixed(3)} / ${neutral.openness.eyes.toFixed(3)}`,
          eyesRatio: closed.openness.eyes / neutral.openness.eyes,
          mouth: `${neutral.openness.mouth.toFixed(3)} -> ${open.openness.mouth.toFixed(3)}`,
          minSimilarity: Math.min(...[neutral, left, right, down, closed, open].map(similarity)),
        };
        t.diagnostic(
          `${person} ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? +v.toFixed(2) : v))}`,
        );

        assert.ok(figures.yawLeft >= 20, `yaw +25 render reads ${figures.yawLeft.toFixed(1)} deg more`);
        assert.ok(figures.yawRight <= -20, `yaw -25 render reads ${figures.yawRight.toFixed(1)} deg`);
        assert.ok(figures.pitchDown >= 15, `pitch +20 render reads ${figures.pitchDown.toFixed(1)} deg more`);
        assert.ok(Math.abs(left.pose.pitch - neutral.pose.pitch) < 10, 'a turn is not a nod');
        assert.ok(Math.abs(down.pose.yaw - neutral.pose.yaw) < 8, 'a nod is not a turn');
        assert.ok(figures.eyesRatio <= 0.8, `closed eyes read ${figures.eyes}`);
        assert.ok(neutral.openness.eyes - closed.openness.eyes >= 0.06, `closed eyes read ${figures.eyes}`);
        assert.ok(open.openness.mouth >= 0.38, `open mouth reads ${figures.mouth}`);
        assert.ok(open.openness.mouth - neutral.openness.mouth >= 0.2, `open mouth reads ${figures.mouth}`);
        assert.ok(
          figures.minSimilarity >= 0.5,
          `similarity to the original ${figures.minSimilarity.toFixed(2)}`,
        );
      },
    );
  }

  it(
    'makes challenge bursts: unique frames, plausible timestamps, small JPEGs',
    { timeout: 120_000 },
    async () => {
      const frames = await challengeFrames(fixture('raj/raj1.png'), ['TURN_LEFT', 'BLINK', 'NOD']);
      assert.equal(frames.length, 2 + 3 * 4);
      assert.equal(frames[0]!.t, 0);
      for (let i = 1; i < frames.length; i++) {
        const step = frames[i]!.t - frames[i - 1]!.t;
        assert.ok(step >= 150 && step <= 250, `step ${step} ms`);
        assert.ok(!frames[i]!.image.equals(frames[i - 1]!.image), 'consecutive frames differ');
      }
      assert.ok(
        frames.every((f) => f.image.length < 300 * 1024 && f.image[0] === 0xff && f.image[1] === 0xd8),
      );
    },
  );
});
