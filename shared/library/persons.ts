import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { notFound } from '../errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { deleteFaceCrops, listPersonFaces, toFaceSummary, type FaceSummary } from './faces.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { ID_PATTERN, PERSON_PREFIX, newPersonId, ownerPk, personKey, requireId } from './keys.ts';
import { conditionalWrite, db, deleteAll } from './table.ts';

export type PersonMeta = Record<string, unknown>;

/** The person's separate consent to processing their face (PIPL Art. 29, GDPR Art. 9(2)(a)): how and why. */
export interface Consent {
  obtainedAt: string;
  method: string;
  purpose: string;
}

export interface Person {
  personId: string;
  name: string;
  meta: PersonMeta;
  /** Null only for persons created before consent was required: they cannot be enrolled until it is given. */
  consent: Consent | null;
  faceCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface PersonWithFaces extends Person {
  faces: FaceSummary[];
}

interface PersonItem extends Person {
  pk: string;
  sk: string;
  type: 'person';
}

const toPerson = ({
  personId,
  name,
  meta,
  consent,
  faceCount,
  createdAt,
  updatedAt,
}: PersonItem): Person => ({
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

export function newPersonItem(userId: string, input: NewPerson): PersonItem {
  const personId = newPersonId();
  const now = new Date().toISOString();
  return {
    ...personKey(userId, personId),
    type: 'person',
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
  const item = newPersonItem(userId, input);
  await db(() =>
    dynamo().send(
      new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
  return toPerson(item);
}

export async function listPersons(
  userId: string,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<{ items: Person[]; nextCursor: string | null }> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  // One extra item tells whether another page exists, so the last page never points at an empty one.
  const page = await db(() =>
    dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': ownerPk(userId), ':prefix': PERSON_PREFIX },
        Limit: limit + 1,
        ConsistentRead: true,
        ...(after ? { ExclusiveStartKey: personKey(userId, after) } : {}),
      }),
    ),
  );
  const items = ((page.Items ?? []) as PersonItem[]).map(toPerson);
  const more = items.length > limit;
  if (more) items.length = limit;
  return { items, nextCursor: more ? encodeCursor(items[limit - 1]!.personId) : null };
}

export async function findPerson(userId: string, personId: string): Promise<Person | undefined> {
  if (!ID_PATTERN.test(personId)) return undefined;
  const out = await db(() =>
    dynamo().send(
      new GetCommand({ TableName: tableName(), Key: personKey(userId, personId), ConsistentRead: true }),
    ),
  );
  return out.Item ? toPerson(out.Item as PersonItem) : undefined;
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
  const sets = ['updatedAt = :now'];
  const values: Record<string, unknown> = { ':now': new Date().toISOString() };
  if (patch.name !== undefined) {
    sets.push('#name = :name');
    values[':name'] = patch.name;
  }
  if (patch.meta !== undefined) {
    sets.push('meta = :meta');
    values[':meta'] = patch.meta;
  }
  // Consent can be renewed (replaced), never removed: the schema refuses null.
  if (patch.consent !== undefined) {
    sets.push('consent = :consent');
    values[':consent'] = patch.consent;
  }
  const out = await conditionalWrite(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: personKey(userId, personId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ...(patch.name !== undefined ? { ExpressionAttributeNames: { '#name': 'name' } } : {}),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!out) throw notFound('person');
  // Names appear in search results.
  if (patch.name !== undefined) await bumpGalleryVersion(userId);
  return toPerson(out.Attributes as PersonItem);
}

/**
 * Deletes the person first, so no enrolment can add a face afterwards (enrolment requires the person),
 * then the faces it had and their crops. The version is bumped even if a later step fails: faces whose
 * person is gone are already excluded from every gallery built after the bump.
 */
export async function deletePerson(userId: string, personId: string): Promise<void> {
  requireId(personId, 'person');
  const deleted = await conditionalWrite(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: personKey(userId, personId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
  if (!deleted) throw notFound('person');
  try {
    const faces = await listPersonFaces(userId, personId);
    await deleteAll(faces);
    await deleteFaceCrops(faces.map((f) => f.cropKey));
  } finally {
    await bumpGalleryVersion(userId);
  }
}
