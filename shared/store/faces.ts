import { FACE_PREFIX, faceKey, personFacesPrefix, type Key } from './keys.ts';
import { deleteAll, deleteExistingItem, deleteItem, getItem, ownerItems, putNewItem } from './table.ts';

/** Face items of the library, in the owner's partition at `FACE#<personId>#<faceId>` (keys.ts). */

/** What a face item holds besides its key (library/faces.ts owns the shape). */
type FaceFields = { personId: string; faceId: string } & Record<string, unknown>;

/** The item as stored (also for bulk loads: bench/search.ts). */
export const faceItem = (userId: string, face: FaceFields) => ({
  ...faceKey(userId, face.personId, face.faceId),
  type: 'face',
  ...face,
});

export const faceStore = {
  /** Writes a new face; false when one with its id exists (the same image enrolled before). */
  create: (userId: string, face: FaceFields) => putNewItem(faceItem(userId, face)),

  get: <T>(userId: string, personId: string, faceId: string) => getItem<T>(faceKey(userId, personId, faceId)),

  /** A person's faces, only the named attributes (plus their keys, for deletion). */
  ofPerson: <T>(userId: string, personId: string, attributes: readonly string[]) =>
    ownerItems<T & Key>(userId, personFacesPrefix(personId), ['pk', 'sk', ...attributes]),

  /** Every face of the owner, only the named attributes (the gallery). */
  all: <T>(userId: string, attributes: readonly string[]) => ownerItems<T>(userId, FACE_PREFIX, attributes),

  /** Deletes an existing face and returns what it held; `undefined` when there was none. */
  remove: <T>(userId: string, personId: string, faceId: string) =>
    deleteExistingItem<T>(faceKey(userId, personId, faceId)),

  /** Takes back a face this request just wrote. */
  discard: (userId: string, personId: string, faceId: string) =>
    deleteItem(faceKey(userId, personId, faceId)),

  /** Deletes faces listed with `ofPerson`. */
  removeAll: (faces: readonly Key[]) => deleteAll(faces),
};
