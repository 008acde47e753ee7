import { z } from 'zod';
import { AppError, notFound } from '../errors.ts';
import type { Box, FaceQuality } from '../face/engine.ts';
import { boxSchema, faceQualitySchema } from '../face-service/present.ts';
import { faceStore } from '../store/faces.ts';
import { objectStore } from '../store/objects.ts';
import { personStore } from '../store/persons.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { requireId } from './ids.ts';

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

/** A face as GET /v1/persons/{personId} lists it. */
export const faceSummarySchema = z.object({
  faceId: z.string(),
  createdAt: z.iso.datetime(),
  quality: faceQualitySchema,
});
export type FaceSummary = z.infer<typeof faceSummarySchema>;

/** What enrolment answers, both for a new face (201) and for an image enrolled before (200). */
export const enrolledFaceSchema = z.object({
  faceId: z.string(),
  personId: z.string(),
  box: boxSchema,
  quality: faceQualitySchema,
});
export type EnrolledFace = z.infer<typeof enrolledFaceSchema>;

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

export const findFace = (userId: string, personId: string, faceId: string) =>
  faceStore.get<FaceRecord>(userId, personId, faceId);

/** A person's faces without their descriptors. */
export const listPersonFaces = (userId: string, personId: string) =>
  faceStore.ofPerson<FaceSummary & { cropKey?: string }>(userId, personId, [
    'faceId',
    'createdAt',
    'quality',
    'cropKey',
  ]);

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
  if (!(await faceStore.create(userId, { ...face }))) {
    const existing = await findFace(userId, face.personId, face.faceId);
    // The earlier face was deleted in between: enrol this one as new.
    if (!existing) return addFace(userId, face, maxFacesPerPerson);
    return { face: existing, created: false };
  }
  if (!(await personStore.countFace(userId, face.personId, maxFacesPerPerson, face.createdAt))) {
    await faceStore.discard(userId, face.personId, face.faceId);
    await deleteFaceCrops([face.cropKey]);
    const person = await personStore.get(userId, face.personId);
    throw person ? new FaceLimitReached(maxFacesPerPerson) : notFound('person');
  }
  await bumpGalleryVersion(userId);
  return { face, created: true };
}

/** Deletes one face; only the caller whose delete removed the item decrements the person's count. */
export async function removeFace(userId: string, personId: string, faceId: string): Promise<void> {
  requireId(personId, 'face');
  requireId(faceId, 'face');
  const removed = await faceStore.remove<FaceRecord>(userId, personId, faceId);
  if (!removed) throw notFound('face');
  try {
    // Fails only when the person is being deleted too, which takes the count with it.
    await personStore.uncountFace(userId, personId, new Date().toISOString());
    await deleteFaceCrops([removed.cropKey]);
  } finally {
    await bumpGalleryVersion(userId);
  }
}

/** Deletes crops from S3 (faces enrolled without the opt-in have none). */
export const deleteFaceCrops = (cropKeys: readonly (string | undefined)[]) =>
  objectStore.deleteMany(cropKeys.filter((k): k is string => k !== undefined));
