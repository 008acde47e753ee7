import type { FaceModelInfo } from '../face/engine.ts';
import { recordGalleryLoad } from '../metrics.ts';
import type { FaceRecord } from './faces.ts';
import { MatrixGallery, type Gallery, type GalleryPerson } from './gallery.ts';
import { currentGalleryVersion } from './gallery-version.ts';
import { faceStore } from '../store/faces.ts';
import { personStore } from '../store/persons.ts';

type StoredFace = Pick<FaceRecord, 'personId' | 'descriptor' | 'modelName' | 'modelVersion'>;

/**
 * Reads a user's gallery from DynamoDB: two queries in their partition (persons for names, faces for
 * descriptors). Faces from another model are skipped until re-embedded; faces whose person is gone are
 * dropped by the gallery.
 */
export async function loadGallery(userId: string, model: FaceModelInfo): Promise<Gallery> {
  const startedAt = Date.now();
  const [persons, faces] = await Promise.all([
    personStore.all<GalleryPerson>(userId, ['personId', 'name']),
    faceStore.all<StoredFace>(userId, ['personId', 'descriptor', 'modelName', 'modelVersion']),
  ]);
  const current = faces.filter((f) => f.modelName === model.name && f.modelVersion === model.version);
  const gallery = new MatrixGallery(model.descriptorLength, persons, current);
  recordGalleryLoad(gallery.faceCount, Date.now() - startedAt);
  return gallery;
}

interface Entry {
  version: string;
  modelKey: string;
  gallery: Promise<Gallery>;
  /** Known once loaded. */
  bytes: number;
}

/**
 * Galleries kept warm in this container, least recently used first. A search costs one Redis GET of the
 * user's version stamp; the gallery is rebuilt from DynamoDB only when the stamp moved, i.e. when some
 * container enrolled, deleted or renamed since. Concurrent searches share one rebuild.
 */
const cache = new Map<string, Entry>();

export async function galleryFor(
  userId: string,
  model: FaceModelInfo,
  budgetBytes: number,
): Promise<Gallery> {
  const version = await currentGalleryVersion(userId);
  const modelKey = `${model.name}@${model.version}`;
  let entry = cache.get(userId);
  if (!entry || entry.version !== version || entry.modelKey !== modelKey) {
    entry = { version, modelKey, gallery: loadGallery(userId, model), bytes: 0 };
  }
  // Re-inserting moves the entry to the most recently used end.
  cache.delete(userId);
  cache.set(userId, entry);
  try {
    const gallery = await entry.gallery;
    entry.bytes = gallery.bytes;
    evictBeyond(budgetBytes, userId);
    return gallery;
  } catch (e) {
    if (cache.get(userId) === entry) cache.delete(userId);
    throw e;
  }
}

/** Drops least recently used galleries until the rest fit the budget; the one in use always stays. */
function evictBeyond(budgetBytes: number, keep: string): void {
  let total = 0;
  for (const [userId, entry] of [...cache].reverse()) {
    total += entry.bytes;
    if (total > budgetBytes && userId !== keep) cache.delete(userId);
  }
}
