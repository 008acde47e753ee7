import './local-env.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../shared/errors.ts';
import { decodeInput, inlineImage } from '../../shared/image-input.ts';
import { enrolFace as enrol } from '../../shared/library/enrol.ts';
import { faceCropKey } from '../../shared/store/keys.ts';
import { objectStore } from '../../shared/store/objects.ts';
import { createPerson, deletePerson, getPerson } from '../../shared/library/persons.ts';
import type { MatchLevel } from '../../shared/face/match-levels.ts';
import { searchImage, type PersonMatch, type SearchDecision } from '../../shared/library/search.ts';
import { CONSENT } from '../support/fixtures.ts';

/**
 * Recognition on the labelled fixtures, in-process (engine, DynamoDB, Redis and S3 of the local stack):
 * 8 people enrolled from crops 1-3, searched with crops 4-5, group photos, a stranger, deletion.
 */

const FIXTURES = new URL('../fixtures/faces/', import.meta.url);
const fixture = (path: string) => readFile(new URL(path, FIXTURES));
const PEOPLE = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon'] as const;
const STRANGER = 'stuart';
/**
 * These are small, low-light TV stills: genuine pairs score 0.52-0.79, so ranking is checked at LOW, and
 * NORMAL (the default) is checked for never naming the wrong person.
 */
const enrolFace = (userId: string, personId: string, bytes: Buffer) =>
  enrol(userId, personId, inlineImage(bytes));
const search = async (userId: string, bytes: Buffer, matchLevel: MatchLevel = 'NORMAL') =>
  searchImage(userId, await decodeInput(inlineImage(bytes)), { topK: 5, maxFaces: 10, matchLevel });

/** The person a face is named as: the best match, only when the decision is MATCH. */
const identified = (face?: { decision: SearchDecision; matches: PersonMatch[] }) =>
  face?.decision === 'MATCH' ? face.matches[0] : undefined;

/** Where each person sits in a group photo (box centre, image pixels), checked by eye on crops. */
const GROUP_POSITIONS: Record<string, Record<string, [number, number]>> = {
  'misc/faces.jpg': {
    amy: [120, 90],
    raj: [280, 95],
    bernadette: [610, 100],
    leonard: [100, 305],
    penny: [300, 285],
    sheldon: [515, 235],
  },
  'groups/bbt1.jpg': { raj: [250, 230], leonard: [525, 230], howard: [780, 230], sheldon: [1047, 170] },
};

describe('1:N search on the fixture faces', () => {
  const userId = `test-search-${randomUUID()}`;
  const personIds = new Map<string, string>();
  const nameOf = new Map<string, string>();

  before(async () => {
    // The eighth person, stuart, is enrolled only in the stranger test's own library.
    for (const name of PEOPLE) {
      const person = await createPerson(userId, { consent: CONSENT, name });
      personIds.set(name, person.personId);
      nameOf.set(person.personId, name);
      for (const n of [1, 2, 3]) {
        const { created } = await enrolFace(
          userId,
          person.personId,
          await fixture(`${name}/${name}${n}.png`),
        );
        assert.ok(created, `${name}${n} enrolled`);
      }
    }
  });

  it('never names a held-out crop (4 and 5) wrongly, and names most of them at LOW', async (t) => {
    const wrong: string[] = [];
    const named = { LOW: [] as string[], NORMAL: [] as string[] };
    for (const name of PEOPLE) {
      for (const n of [4, 5]) {
        const image = await fixture(`${name}/${name}${n}.png`);
        for (const level of ['LOW', 'NORMAL'] as const) {
          // The crop's face is the largest one (the detector may add a weaker box on the same face).
          const top = identified((await search(userId, image, level)).faces[0]);
          if (top && top.name !== name) wrong.push(`${level}: ${name}${n} -> ${top.name}`);
          if (top) named[level].push(`${name}${n}`);
        }
      }
    }
    t.diagnostic(`named at LOW ${named.LOW.length}/14, at NORMAL ${named.NORMAL.length}/14`);
    assert.deepEqual(wrong, []);
    assert.ok(named.LOW.length >= 12, `named at LOW: ${named.LOW}`);
    assert.ok(named.NORMAL.length >= 8, `named at NORMAL: ${named.NORMAL}`);
  });

  for (const [photo, positions] of Object.entries(GROUP_POSITIONS)) {
    it(`names the people in ${photo} on the right faces at LOW, never a wrong one`, async () => {
      const { faces } = await search(userId, await fixture(photo), 'LOW');
      const unnamed: string[] = [];
      for (const [name, [x, y]] of Object.entries(positions)) {
        const face = faces.find(
          (f) => x >= f.box.x && x <= f.box.x + f.box.width && y >= f.box.y && y <= f.box.y + f.box.height,
        );
        assert.ok(face, `a face at ${name}'s position (${x}, ${y})`);
        const top = identified(face);
        if (!top) unnamed.push(name);
        else assert.equal(top.name, name, `face at ${name}'s position: ${JSON.stringify(face.matches)}`);
      }
      // Group faces are small (~95 px) and dim, enrolled from other stills: genuine similarities of
      // 0.5-0.55 fall below the calibrated LOW threshold (ACCURACY.md), so some go unnamed, never misnamed.
      assert.ok(unnamed.length <= Object.keys(positions).length / 2, `unnamed: ${unnamed}`);
    });
  }

  it('matches nobody for a stranger, then finds him right after he is enrolled', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const { faces } = await search(userId, await fixture(`${STRANGER}/${STRANGER}${n}.png`));
      assert.equal(identified(faces[0]), undefined, `${STRANGER}${n}: ${JSON.stringify(faces[0])}`);
    }
    const stuart = await createPerson(userId, { consent: CONSENT, name: STRANGER });
    for (const n of [1, 3, 4])
      await enrolFace(userId, stuart.personId, await fixture(`${STRANGER}/${STRANGER}${n}.png`));
    const { faces } = await search(userId, await fixture(`${STRANGER}/${STRANGER}2.png`));
    assert.equal(identified(faces[0])?.name, STRANGER);
    await deletePerson(userId, stuart.personId);
  });

  it('lists both persons of a face enrolled under two names, and calls it AMBIGUOUS, not a match', async () => {
    const twins = [
      await createPerson(userId, { consent: CONSENT, name: STRANGER }),
      await createPerson(userId, { consent: CONSENT, name: `${STRANGER} (again)` }),
    ];
    for (const twin of twins)
      await enrolFace(userId, twin.personId, await fixture(`${STRANGER}/${STRANGER}1.png`));
    const { faces } = await search(userId, await fixture(`${STRANGER}/${STRANGER}1.png`));
    for (const twin of twins) await deletePerson(userId, twin.personId);
    assert.equal(faces[0]!.decision, 'AMBIGUOUS');
    assert.deepEqual(
      faces[0]!.matches.map((m) => [m.personId, m.similarity]),
      twins.map((t) => [t.personId, 1]).sort(),
      'the image enrolled a moment ago is found under both names',
    );
  });

  it('never returns a deleted person again', async () => {
    const howard = await createPerson(userId, { consent: CONSENT, name: 'howard (second)' });
    await enrolFace(userId, howard.personId, await fixture('howard/howard5.png'));
    const beforeDelete = await search(userId, await fixture('howard/howard5.png'));
    assert.ok(beforeDelete.faces[0]!.matches.some((m) => m.personId === howard.personId));
    await deletePerson(userId, howard.personId);
    const afterDelete = await search(userId, await fixture('howard/howard5.png'));
    assert.ok(!afterDelete.faces[0]!.matches.some((m) => m.personId === howard.personId));
  });

  it('does not let another user see or search this library', async () => {
    const other = `test-search-${randomUUID()}`;
    const { faces } = await search(other, await fixture('amy/amy4.png'));
    assert.equal(faces.length, 1);
    assert.deepEqual(faces[0]!.matches, []);
    assert.equal(faces[0]!.decision, 'NO_MATCH');
    await assert.rejects(
      getPerson(other, personIds.get('amy')!),
      (e: unknown) => e instanceof AppError && e.status === 404,
    );
  });
});

describe('enrolment', () => {
  const userId = `test-enrol-${randomUUID()}`;
  const rejects = (promise: Promise<unknown>, code: string) =>
    assert.rejects(promise, (e: unknown) => e instanceof AppError && e.status === 422 && e.code === code);

  it('counts 20 concurrent enrolments of different images to one person, losing none', async () => {
    const person = await createPerson(userId, { consent: CONSENT, name: 'penny' });
    // 20 distinct images of one person: 5 crops x 4 variants (different bytes, same face).
    const images = (
      await Promise.all(
        [1, 2, 3, 4, 5].map(async (n) => {
          const png = await fixture(`penny/penny${n}.png`);
          return Promise.all([
            png,
            sharp(png).jpeg({ quality: 95 }).toBuffer(),
            sharp(png).flop().png().toBuffer(),
            sharp(png).resize(180).png().toBuffer(),
          ]);
        }),
      )
    ).flat();
    const results = await Promise.all(images.map((bytes) => enrolFace(userId, person.personId, bytes)));
    assert.equal(new Set(results.map((r) => r.face.faceId)).size, 20);
    const stored = await getPerson(userId, person.personId);
    assert.equal(stored.faceCount, 20);
    assert.equal(stored.faces.length, 20);
  });

  it('answers the same image enrolled again with the stored face and writes nothing', async () => {
    const person = await createPerson(userId, { consent: CONSENT, name: 'raj' });
    const bytes = await fixture('raj/raj1.png');
    const first = await enrolFace(userId, person.personId, bytes);
    const again = await enrolFace(userId, person.personId, bytes);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.deepEqual(again.face, first.face);
    assert.equal((await getPerson(userId, person.personId)).faceCount, 1);
    // Only the template is kept, not the image (ENROL_STORE_CROPS is off by default: PRIVACY.md).
    assert.equal(await objectStore.get(faceCropKey(userId, person.personId, first.face.faceId)), undefined);
  });

  it('refuses images without exactly one usable face, saying why', async () => {
    const person = await createPerson(userId, { consent: CONSENT, name: 'leonard' });
    await rejects(enrolFace(userId, person.personId, await fixture('misc/white.png')), 'NO_FACE');
    await rejects(enrolFace(userId, person.personId, await fixture('misc/faces.jpg')), 'MULTIPLE_FACES');
    const tiny = await sharp(await fixture('leonard/leonard1.png'))
      .resize(48)
      .png()
      .toBuffer();
    await assert.rejects(enrolFace(userId, person.personId, tiny), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'LOW_QUALITY');
      assert.deepEqual(e.details?.problems, ['faceSize']);
      assert.equal(typeof e.details?.faceSize, 'number');
      return true;
    });
    const blurred = await sharp(await fixture('leonard/leonard1.png'))
      .blur(4)
      .png()
      .toBuffer();
    await assert.rejects(enrolFace(userId, person.personId, blurred), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'LOW_QUALITY');
      assert.ok((e.details?.problems as string[]).includes('sharpness'));
      return true;
    });
    assert.equal((await getPerson(userId, person.personId)).faceCount, 0);
  });
});
