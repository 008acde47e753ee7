import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { loadImage } from '../image/load.ts';
import { type DetectedFace } from './engine.ts';
import { getFaceEngine } from './default-engine.ts';
import { DEFAULT_MATCH_LEVEL, MATCH_LEVELS, MATCH_LEVEL_SETTINGS, isMatchLevel } from './match-levels.ts';

/**
 * Match levels: consistency of the table, and the real engine on labelled fixture pairs (tests/fixtures/
 * faces). Genuine pairs are different photos of one person; impostor pairs are the hardest ones
 * `npm run bench:calibration` found (similarity 0.48-0.51, see ACCURACY.md "Match levels").
 */
const root = new URL('../../tests/fixtures/faces/', import.meta.url);
const engine = getFaceEngine();

describe('match levels', () => {
  it('are LOW < NORMAL < HIGH in threshold and decreasing in false-match rate', () => {
    assert.deepEqual([...MATCH_LEVELS], ['LOW', 'NORMAL', 'HIGH']);
    assert.equal(DEFAULT_MATCH_LEVEL, 'NORMAL');
    const settings = MATCH_LEVELS.map((l) => MATCH_LEVEL_SETTINGS[l]);
    assert.deepEqual(
      settings.map((s) => s.falseMatchRate),
      [1e-2, 1e-3, 1e-4],
    );
    for (const s of settings) assert.ok(s.threshold > 0 && s.threshold < 1, `${s.threshold} in (0, 1)`);
    for (let i = 1; i < settings.length; i++)
      assert.ok(settings[i]!.threshold > settings[i - 1]!.threshold, 'thresholds increase');
    // Never looser than the former single threshold, which accepted 0.7 % of impostors in the field.
    assert.ok(settings[0]!.threshold > 0.5, "every level is stricter than dlib's own decision point");
    assert.ok(isMatchLevel('HIGH') && !isMatchLevel('high') && !isMatchLevel(undefined));
  });

  describe('on labelled fixture pairs with the real engine', () => {
    const cache = new Map<string, DetectedFace[]>();
    /** `file` or `file@x,y`: the face of a group photo whose box holds that point. */
    const descriptor = async (ref: string) => {
      const [file, at] = ref.split('@') as [string, string | undefined];
      if (!cache.has(file)) {
        const image = await loadImage(readFileSync(new URL(file, root)));
        cache.set(file, (await engine.detect(image, { maxFaces: 10, withDescriptor: true })).faces);
      }
      const faces = cache.get(file)!;
      if (!at) {
        assert.equal(faces.length, 1, file);
        return faces[0]!.descriptor!;
      }
      const [x, y] = at.split(',').map(Number) as [number, number];
      const face = faces.find(
        ({ box }) => x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height,
      );
      assert.ok(face, `a face at ${ref}`);
      return face.descriptor!;
    };
    const similarity = async (a: string, b: string) =>
      engine.similarity(await descriptor(a), await descriptor(b));
    const { LOW, NORMAL } = MATCH_LEVEL_SETTINGS;

    before(async () => {
      await engine.warmup();
    });

    it('accepts genuine pairs (one person, two photos) at NORMAL', async (t) => {
      const pairs = [
        ['amy/amy2.png', 'amy/amy5.png'],
        ['bernadette/bernadette2.png', 'bernadette/bernadette4.png'],
        ['howard/howard4.png', 'howard/howard5.png'],
        ['leonard/leonard2.png', 'leonard/leonard3.png'],
        ['penny/penny2.png', 'penny/penny4.png'],
        ['sheldon/sheldon3.png', 'sheldon/sheldon5.png'],
        ['stuart/stuart1.png', 'stuart/stuart2.png'],
        ['sheldon/sheldon5.png', 'groups/bbt4.jpg@511,244'],
        ['amy/amy2.png', 'groups/bbt4.jpg@125,83'],
      ];
      for (const [a, b] of pairs) {
        const s = await similarity(a!, b!);
        t.diagnostic(`${a} ~ ${b}: ${s.toFixed(3)}`);
        assert.ok(s >= NORMAL.threshold, `${a} ~ ${b}: ${s.toFixed(3)} < ${NORMAL.threshold}`);
      }
    });

    it('rejects the hardest impostor pairs found by the calibration at NORMAL (and at LOW)', async (t) => {
      const bbt1 = ['1048,149', '261,201', '523,215', '779,197'].map((p) => `groups/bbt1.jpg@${p}`);
      const pairs = [
        ['bernadette/bernadette3.png', 'penny/penny3.png'],
        ['bernadette/bernadette5.png', 'penny/penny3.png'],
        ['howard/howard3.png', 'stuart/stuart2.png'],
        ['bernadette/bernadette2.png', 'penny/penny3.png'],
        ['stuart/stuart4.png', 'expressions/angry.jpg'],
        // Four different people in one photo (the hardest pair, 0.48, is Raj and Leonard).
        ...bbt1.flatMap((a, i) => bbt1.slice(i + 1).map((b) => [a, b])),
      ];
      for (const [a, b] of pairs) {
        const s = await similarity(a!, b!);
        t.diagnostic(`${a} ~ ${b}: ${s.toFixed(3)}`);
        assert.ok(s < NORMAL.threshold, `${a} ~ ${b}: ${s.toFixed(3)} >= NORMAL ${NORMAL.threshold}`);
        assert.ok(s < LOW.threshold, `${a} ~ ${b}: ${s.toFixed(3)} >= LOW ${LOW.threshold}`);
      }
    });
  });
});
