import { config } from '../config.ts';
import { UPLOADS_PREFIX, uploadKey, validatedKey } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { removeUpload } from './lifecycle.ts';
import { findRecordAnyAge, parseAnyUploadKey } from './records.ts';

/**
 * Deletes every upload past its retention: both objects and the record. On AWS the bucket's lifecycle
 * rule and DynamoDB's TTL do this too, but only to the day and with a lag of up to days; this hourly
 * sweep makes UPLOAD_RETENTION_HOURS exact, and it is the only mechanism on the local stack (s3rver and
 * dynalite expire nothing). An object without a record (e.g. erased while a POST was in flight) goes once
 * it is older than the retention. Idempotent, so overlapping runs are harmless.
 */
export async function sweepExpiredUploads(nowMs = Date.now()): Promise<{ checked: number; removed: number }> {
  const retentionMs = config().UPLOAD_RETENTION_HOURS * 3600_000;
  let checked = 0;
  let removed = 0;
  for await (const page of objectStore.list(UPLOADS_PREFIX)) {
    // An upload's original and validated copy usually share a page; checking one twice is harmless.
    const uploads = new Map<string, { userId: string; uploadId: string; lastModified: number }>();
    for (const object of page) {
      const parsed = parseAnyUploadKey(object.key);
      if (!parsed) continue;
      const lastModified = object.lastModified?.getTime() ?? 0;
      const seen = uploads.get(`${parsed.userId}/${parsed.uploadId}`);
      if (!seen || lastModified < seen.lastModified)
        uploads.set(`${parsed.userId}/${parsed.uploadId}`, { ...parsed, lastModified });
    }
    for (const { userId, uploadId, lastModified } of uploads.values()) {
      checked++;
      const record = await findRecordAnyAge(userId, uploadId);
      const expired =
        record?.ttl !== undefined ? record.ttl * 1000 <= nowMs : lastModified + retentionMs <= nowMs;
      if (!expired) continue;
      if (record) await removeUpload(userId, record);
      else await objectStore.deleteMany([uploadKey(userId, uploadId), validatedKey(userId, uploadId)]);
      removed++;
    }
  }
  return { checked, removed };
}
