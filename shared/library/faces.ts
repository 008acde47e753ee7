import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { deleteObjects } from '../adapters/s3-erase.ts';
import { AppError, notFound } from '../errors.ts';
import type { Box, FaceQuality } from '../face/engine.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { faceKey, ownerPk, personFacesPrefix, personKey, requireId } from './keys.ts';
import { conditionalWrite, db, queryPrefix } from './table.ts';

/** An enrolled face: where it was found, how good it was, and its descriptor with the model that made it. */
export interface FaceRecord {
  faceId: string;
  personId: string;
  createdAt: string;
  box: Box;
  quality: FaceQuality;
  imageSha256: string;
  /** Unit Float32, little-endian (descriptor-codec.ts). */
  descriptor: Uint8Array;
  /** Descriptors compare only within one model name + version; others are re-embedded from the crop. */
  modelName: string;
  modelVersion: string;
  /**
   * S3 key of the face crop (users/<userId>/faces/...), only with the ENROL_STORE_CROPS opt-in: it lets a
   * new model re-embed without asking for the photo again, at the price of keeping a face image.
   */
  cropKey?: string;
}

interface FaceItem extends FaceRecord {
  pk: string;
  sk: string;
  type: 'face';
}

export interface FaceSummary {
  faceId: string;
  createdAt: string;
  quality: FaceQuality;
}

/** What enrolment answers, both for a new face (201) and for an image enrolled before (200). */
export interface EnrolledFace {
  faceId: string;
  personId: string;
  box: Box;
  quality: FaceQuality;
}

export const toFaceSummary = ({ faceId, createdAt, quality }: FaceSummary): FaceSummary => ({
  faceId,
  createdAt,
  quality,
});

export const toEnrolledFace = ({ faceId, personId, box, quality }: EnrolledFace): EnrolledFace => ({
  faceId,
  personId,
  box,
  quality,
});

export const newFaceRecord = (fields: Omit<FaceRecord, 'createdAt'>): FaceRecord => ({
  ...fields,
  createdAt: new Date().toISOString(),
});

export class FaceLimitReached extends AppError {
  constructor(limit: number) {
    super('FACE_LIMIT_REACHED', `A person can have at most ${limit} faces; delete one first.`, {
      limit,
    });
  }
}

export const faceItem = (userId: string, face: FaceRecord): FaceItem => ({
  ...faceKey(userId, face.personId, face.faceId),
  type: 'face',
  ...face,
});

export async function findFace(
  userId: string,
  personId: string,
  faceId: string,
): Promise<FaceRecord | undefined> {
  const out = await db(() =>
    dynamo().send(
      new GetCommand({
        TableName: tableName(),
        Key: faceKey(userId, personId, faceId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item as FaceItem | undefined;
}

/** A person's faces without their descriptors. */
export function listPersonFaces(userId: string, personId: string) {
  return queryPrefix<FaceSummary & { pk: string; sk: string; cropKey?: string }>(
    ownerPk(userId),
    personFacesPrefix(personId),
    ['pk', 'sk', 'faceId', 'createdAt', 'quality', 'cropKey'],
  );
}

/**
 * Stores a face and counts it on its person, without transactions (dynalite has none): a conditional put
 * that only the first writer of this faceId wins, then an atomic `ADD faceCount 1` conditioned on the person
 * existing and having room. Concurrent enrolments therefore each add exactly one, and a duplicate adds
 * nothing. If the person is gone or full, the face and its crop (keyed by faceId, so only this enrolment
 * wrote it) are taken back out.
 *
 * Returns the stored face: the new one ('created') or the one enrolled earlier from the same image.
 */
export async function addFace(
  userId: string,
  face: FaceRecord,
  maxFacesPerPerson: number,
): Promise<{ face: FaceRecord; created: boolean }> {
  const item = faceItem(userId, face);
  const stored = await conditionalWrite(() =>
    dynamo().send(
      new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
  if (!stored) {
    const existing = await findFace(userId, face.personId, face.faceId);
    // The earlier face was deleted in between: enrol this one as new.
    if (!existing) return addFace(userId, face, maxFacesPerPerson);
    return { face: existing, created: false };
  }
  const counted = await conditionalWrite(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: personKey(userId, face.personId),
        UpdateExpression: 'ADD faceCount :one SET updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND faceCount < :max',
        ExpressionAttributeValues: { ':one': 1, ':now': face.createdAt, ':max': maxFacesPerPerson },
      }),
    ),
  );
  if (!counted) {
    await db(() =>
      dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { pk: item.pk, sk: item.sk } })),
    );
    await deleteFaceCrops([face.cropKey]);
    const person = await db(() =>
      dynamo().send(new GetCommand({ TableName: tableName(), Key: personKey(userId, face.personId) })),
    );
    throw person.Item ? new FaceLimitReached(maxFacesPerPerson) : notFound('person');
  }
  await bumpGalleryVersion(userId);
  return { face, created: true };
}

/** Deletes one face; only the caller whose delete removed the item decrements the person's count. */
export async function removeFace(userId: string, personId: string, faceId: string): Promise<void> {
  requireId(personId, 'face');
  requireId(faceId, 'face');
  const out = await conditionalWrite(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: faceKey(userId, personId, faceId),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  if (!out) throw notFound('face');
  const removed = out.Attributes as FaceItem;
  try {
    // Fails only when the person is being deleted too, which takes the count with it.
    await conditionalWrite(() =>
      dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: personKey(userId, personId),
          UpdateExpression: 'ADD faceCount :minusOne SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':minusOne': -1, ':now': new Date().toISOString() },
        }),
      ),
    );
    await deleteFaceCrops([removed.cropKey]);
  } finally {
    await bumpGalleryVersion(userId);
  }
}

/** Deletes crops from S3 (faces enrolled without the opt-in have none). */
export const deleteFaceCrops = (cropKeys: readonly (string | undefined)[]) =>
  deleteObjects(cropKeys.filter((k): k is string => k !== undefined));
