import { UPLOAD_PREFIX, uploadItemKey, type Key } from './keys.ts';
import { deleteItem, getItem, ownerItems, putItem, updateItem } from './table.ts';

/** Upload records, one item per upload in the owner's partition at `UPLOAD#<uploadId>` (keys.ts). */

/** What an upload item holds besides its key (uploads/records.ts owns the shape). */
type UploadFields = { uploadId: string } & Record<string, unknown>;

export const uploadStore = {
  /** The item to store for a new upload: its key with the fields. */
  item: <T extends UploadFields>(userId: string, fields: T) => ({
    ...uploadItemKey(userId, fields.uploadId),
    ...fields,
  }),

  put: (record: Key & Record<string, unknown>) => putItem(record),

  get: <T>(userId: string, uploadId: string) => getItem<T>(uploadItemKey(userId, uploadId)),

  all: <T>(userId: string) => ownerItems<T>(userId, UPLOAD_PREFIX),

  /**
   * Sets the given fields on a record that is still `pending`: the record as it now stands, or
   * `undefined` when it was no longer pending.
   */
  settle: <T>(record: Key, fields: Record<string, unknown>) => {
    const entries = Object.entries(fields);
    return updateItem<T>(
      { pk: record.pk, sk: record.sk },
      {
        expression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        condition: '#status = :pending',
        names: { '#status': 'status', ...Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])) },
        values: {
          ':pending': 'pending',
          ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
        },
      },
    );
  },

  remove: (record: Key) => deleteItem(record),
};
