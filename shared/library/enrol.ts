import { config } from '../config.ts';
import { notFound, AppError } from '../errors.ts';
import { type Box, type DetectedFace, type FaceQuality } from '../face/engine.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { presentBox, presentFace } from '../face-service/present.ts';
import { jpegCrop } from '../image/crop.ts';
import { decodeInput, type ImageInput } from '../image-input.ts';
import { requireLiveness } from '../liveness/binding.ts';
import { encodeDescriptor } from './descriptor-codec.ts';
import { addFace, findFace, newFaceRecord, toEnrolledFace, type EnrolledFace } from './faces.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { faceCropKey } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { faceIdFor } from './ids.ts';
import { findPerson } from './persons.ts';

/** Enough faces to tell "one usable face" from "several" without paying for a crowd. */
const DETECT_FOR_ENROLMENT = 5;
/** Context kept around the box in the stored crop, so a future model can detect and align it again. */
const CROP_MARGIN = 0.4;

export interface QualityLimits {
  minFaceSize: number;
  minSharpness: number;
}

/** Quality as the API shows it everywhere (rounded like in detect). */
const roundedQuality = (face: DetectedFace) =>
  (presentFace(face, ['quality']) as unknown as { quality: FaceQuality }).quality;

/**
 * Share of box `b` that lies inside box `a`. The detector sometimes adds a weaker second box on the same
 * face, inside the first one; another person's face never sits mostly inside this face's box.
 */
function coveredBy(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? (width * height) / (b.width * b.height) : 0;
}
const SAME_FACE_COVERAGE = 0.5;

/**
 * The enrolment gate: exactly one usable face. Another face counts when it is itself large enough to enrol
 * and is not a duplicate box of the same face; smaller background faces are ignored. The measured values
 * travel in `details` so a client can tell the user what to fix.
 */
export function selectEnrolmentFace(faces: readonly DetectedFace[], limits: QualityLimits): DetectedFace {
  const [largest, ...rest] = faces;
  if (!largest) throw new AppError('NO_FACE', 'No face was found in the image.');
  const others = rest.filter(
    (f) => f.quality.faceSize >= limits.minFaceSize && coveredBy(largest.box, f.box) < SAME_FACE_COVERAGE,
  );
  if (others.length > 0) {
    throw new AppError('MULTIPLE_FACES', 'The image shows more than one face; enrol one face per image.', {
      faceCount: others.length + 1,
      boxes: [largest, ...others].map((f) => presentBox(f.box)),
    });
  }
  const quality = roundedQuality(largest);
  const problems = [
    ...(quality.faceSize < limits.minFaceSize ? ['faceSize'] : []),
    ...(quality.sharpness < limits.minSharpness ? ['sharpness'] : []),
  ];
  if (problems.length > 0) {
    throw new AppError(
      'LOW_QUALITY',
      `The face is too ${problems.includes('faceSize') ? 'small' : 'blurred'}.`,
      {
        problems,
        faceSize: quality.faceSize,
        sharpness: quality.sharpness,
        brightness: quality.brightness,
        minFaceSize: limits.minFaceSize,
        minSharpness: limits.minSharpness,
      },
    );
  }
  return largest;
}

/**
 * Enrols the one face of an image for a person. The same image for the same person (the same bytes sent,
 * inline or as an upload) resolves to the same faceId: a repeat answers the stored face without running the engine or writing any record.
 */
export async function enrolFace(
  userId: string,
  personId: string,
  input: ImageInput,
  options: { livenessSessionId?: string } = {},
): Promise<{ face: EnrolledFace; created: boolean }> {
  const { PERSON_MAX_FACES, ENROL_MIN_FACE_SIZE, ENROL_MIN_SHARPNESS, ENROL_STORE_CROPS } = config();
  const [person, image] = await Promise.all([findPerson(userId, personId), decodeInput(input)]);
  if (!person) throw notFound('person');
  if (!person.consent) {
    throw new AppError('CONSENT_REQUIRED', 'This person has no recorded consent; add it with PATCH first.');
  }
  const faceId = faceIdFor(personId, image.sha256);
  const existing = await findFace(userId, personId, faceId);
  if (existing) {
    if (options.livenessSessionId) {
      const stored = new Float32Array(new Uint8Array(existing.descriptor).buffer);
      await requireLiveness(userId, options.livenessSessionId, stored);
    }
    // An earlier attempt may have stored this face and then failed to announce it (Redis down): re-announce.
    await bumpGalleryVersion(userId);
    return { face: toEnrolledFace(existing), created: false };
  }

  const engine = getFaceEngine();
  const { faces } = await engine.detect(image, { maxFaces: DETECT_FOR_ENROLMENT, withDescriptor: true });
  const face = selectEnrolmentFace(faces, {
    minFaceSize: ENROL_MIN_FACE_SIZE,
    minSharpness: ENROL_MIN_SHARPNESS,
  });
  if (options.livenessSessionId) await requireLiveness(userId, options.livenessSessionId, face.descriptor!);
  // The template is what search needs; the face image is kept only where the operator opted in.
  const cropKey = ENROL_STORE_CROPS ? faceCropKey(userId, personId, faceId) : undefined;
  if (cropKey) await storeCrop(input.bytes, face.box, { width: image.width, height: image.height }, cropKey);

  const quality = roundedQuality(face);
  const record = newFaceRecord({
    faceId,
    personId,
    box: presentBox(face.box),
    quality,
    imageSha256: image.sha256,
    descriptor: encodeDescriptor(face.descriptor!),
    modelName: engine.model.name,
    modelVersion: engine.model.version,
    cropKey,
  });
  const { face: stored, created } = await addFace(userId, record, PERSON_MAX_FACES);
  return { face: toEnrolledFace(stored), created };
}

/** Saves the face with some context as JPEG under the owner's prefix (EXIF orientation applied, metadata dropped). */
async function storeCrop(bytes: Buffer, box: Box, size: { width: number; height: number }, key: string) {
  const padX = box.width * CROP_MARGIN;
  const padY = box.height * CROP_MARGIN;
  const left = Math.max(0, Math.floor(box.x - padX));
  const top = Math.max(0, Math.floor(box.y - padY));
  const region = {
    left,
    top,
    width: Math.min(size.width, Math.ceil(box.x + box.width + padX)) - left,
    height: Math.min(size.height, Math.ceil(box.y + box.height + padY)) - top,
  };
  const crop = await jpegCrop(bytes, region, config().MAX_IMAGE_PIXELS);
  await objectStore.put(key, crop, 'image/jpeg');
}
