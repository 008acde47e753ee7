import { z } from 'zod';
import { notFound } from '../errors.ts';
import { faceStore } from '../store/faces.ts';
import { personStore } from '../store/persons.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { deleteFaceCrops, faceSummarySchema, listPersonFaces, toFaceSummary } from './faces.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { ID_PATTERN, newPersonId, requireId } from './ids.ts';

/** The API's Person (the body of POST, PATCH and, with its faces, GET /v1/persons/{personId}). */
export const personSchema = z.object({
  personId: z.string(),
  name: z.string(),
  meta: z.record(z.string(), z.unknown()),
  // The person's separate consent to processing their face (PIPL Art. 29, GDPR Art. 9(2)(a)): how and why.
  consent: z.object({ obtainedAt: z.string(), method: z.string(), purpose: z.string() }).nullable().meta({
    description:
      'Required on creation; renewed (replaced) by PATCH, never removed. Null only for persons created before consent was required: they cannot be enrolled (422 CONSENT_REQUIRED) until PATCH adds it.',
  }),
  faceCount: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Person = z.infer<typeof personSchema>;
export type PersonMeta = Person['meta'];
export type Consent = NonNullable<Person['consent']>;

/** The body of GET /v1/persons. */
export const personPageSchema = z.object({ items: z.array(personSchema), nextCursor: z.string().nullable() });

/** The body of GET /v1/persons/{personId}. */
export const personWithFacesSchema = personSchema.extend({ faces: z.array(faceSummarySchema) });
type PersonWithFaces = z.infer<typeof personWithFacesSchema>;

const toPerson = ({ personId, name, meta, consent, faceCount, createdAt, updatedAt }: Person): Person => ({
  personId,
  name,
  meta,
  consent: consent ?? null,
  faceCount,
  createdAt,
  updatedAt,
});

export interface NewPerson {
  name: string;
  meta?: PersonMeta;
  consent: Consent;
}

export function newPerson(input: NewPerson): Person {
  const personId = newPersonId();
  const now = new Date().toISOString();
  return {
    personId,
    name: input.name,
    meta: input.meta ?? {},
    consent: input.consent,
    faceCount: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export async function createPerson(userId: string, input: NewPerson): Promise<Person> {
  const person = newPerson(input);
  // The id is fresh randomness: a taken one would be a bug, not a conflict to report.
  if (!(await personStore.create(userId, { ...person }))) throw new Error('person id collision');
  return person;
}

export async function listPersons(
  userId: string,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<z.infer<typeof personPageSchema>> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  // One extra item tells whether another page exists, so the last page never points at an empty one.
  const items = (await personStore.page<Person>(userId, { limit: limit + 1, afterId: after })).map(toPerson);
  const more = items.length > limit;
  if (more) items.length = limit;
  return { items, nextCursor: more ? encodeCursor(items[limit - 1]!.personId) : null };
}

export async function findPerson(userId: string, personId: string): Promise<Person | undefined> {
  if (!ID_PATTERN.test(personId)) return undefined;
  const item = await personStore.get<Person>(userId, personId);
  return item ? toPerson(item) : undefined;
}

export async function getPerson(userId: string, personId: string): Promise<PersonWithFaces> {
  requireId(personId, 'person');
  const [person, faces] = await Promise.all([
    findPerson(userId, personId),
    listPersonFaces(userId, personId),
  ]);
  if (!person) throw notFound('person');
  return { ...person, faces: faces.map(toFaceSummary) };
}

export async function updatePerson(
  userId: string,
  personId: string,
  patch: { name?: string; meta?: PersonMeta; consent?: Consent },
): Promise<Person> {
  requireId(personId, 'person');
  // Consent can be renewed (replaced), never removed: the schema refuses null.
  const { name, meta, consent } = patch;
  const fields = Object.fromEntries(
    Object.entries({ name, meta, consent }).filter(([, value]) => value !== undefined),
  );
  const updated = await personStore.update<Person>(userId, personId, fields, new Date().toISOString());
  if (!updated) throw notFound('person');
  // Names appear in search results.
  if (patch.name !== undefined) await bumpGalleryVersion(userId);
  return toPerson(updated);
}

/**
 * Deletes the person first, so no enrolment can add a face afterwards (enrolment requires the person),
 * then the faces it had and their crops. The version is bumped even if a later step fails: faces whose
 * person is gone are already excluded from every gallery built after the bump.
 */
export async function deletePerson(userId: string, personId: string): Promise<void> {
  requireId(personId, 'person');
  if (!(await personStore.remove(userId, personId))) throw notFound('person');
  try {
    const faces = await listPersonFaces(userId, personId);
    await faceStore.removeAll(faces);
    await deleteFaceCrops(faces.map((f) => f.cropKey));
  } finally {
    await bumpGalleryVersion(userId);
  }
}
