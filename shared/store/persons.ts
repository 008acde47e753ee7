import { PERSON_PREFIX, personKey, type Key } from './keys.ts';
import { deleteExistingItem, getItem, ownerItems, putNewItem, queryOwnerPage, updateItem } from './table.ts';

/** Person items of the face library, in the owner's partition (keys.ts). */

/** What a person item holds besides its key (library/persons.ts owns the shape). */
type PersonFields = { personId: string } & Record<string, unknown>;

/** The item as stored (also for bulk loads: bench/search.ts). */
export const personItem = (userId: string, person: PersonFields) => ({
  ...personKey(userId, person.personId),
  type: 'person',
  ...person,
});

export const personStore = {
  /** Writes a new person; false if the id was taken. */
  create: (userId: string, person: PersonFields) => putNewItem(personItem(userId, person)),

  get: <T>(userId: string, personId: string) => getItem<T>(personKey(userId, personId)),

  /** A page of persons, oldest first, after the person `afterId`. */
  async page<T extends { personId: string }>(
    userId: string,
    { limit, afterId }: { limit: number; afterId?: string },
  ): Promise<T[]> {
    const after = afterId ? personKey(userId, afterId) : undefined;
    return (await queryOwnerPage<T>(userId, PERSON_PREFIX, { limit, after })).items;
  },

  /** Every person, only the named attributes (the gallery wants ids and names). */
  all: <T>(userId: string, attributes: readonly string[]) => ownerItems<T>(userId, PERSON_PREFIX, attributes),

  /** Sets the given fields and `updatedAt` on an existing person; `undefined` when there is none. */
  update<T>(userId: string, personId: string, fields: Record<string, unknown>, now: string) {
    const entries = Object.entries({ ...fields, updatedAt: now });
    return updateItem<T>(personKey(userId, personId), {
      // Aliased: DynamoDB reserves hundreds of words, `name` among them.
      expression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      condition: 'attribute_exists(pk)',
      names: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
      values: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
    });
  },

  /**
   * Counts a new face on its person if the person exists and has room; false otherwise. An atomic ADD,
   * so concurrent enrolments each add exactly one.
   */
  async countFace(userId: string, personId: string, maxFaces: number, now: string): Promise<boolean> {
    const out = await updateItem(personKey(userId, personId), {
      expression: 'ADD faceCount :one SET updatedAt = :now',
      condition: 'attribute_exists(pk) AND faceCount < :max',
      values: { ':one': 1, ':now': now, ':max': maxFaces },
    });
    return out !== undefined;
  },

  /** Uncounts a removed face; false when the person is gone (its count went with it). */
  async uncountFace(userId: string, personId: string, now: string): Promise<boolean> {
    const out = await updateItem(personKey(userId, personId), {
      expression: 'ADD faceCount :minusOne SET updatedAt = :now',
      condition: 'attribute_exists(pk)',
      values: { ':minusOne': -1, ':now': now },
    });
    return out !== undefined;
  },

  /** Deletes an existing person; false when there was none. */
  remove: async (userId: string, personId: string) =>
    (await deleteExistingItem<Key>(personKey(userId, personId))) !== undefined,
};
