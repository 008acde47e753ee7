import { invokeFunction } from './invoke.ts';

/**
 * The bucket notification of serverless.yml (`uploadsS3Event`: s3:ObjectCreated:* under `uploads/`),
 * which s3rver does not deliver to serverless-offline: s3rver emits an S3 event per write, and this sends
 * the matching ones to the function, asynchronously and with keys URL-encoded as S3 sends them. Like
 * Lambda's asynchronous invocation it retries a failed delivery twice (AWS waits minutes; here seconds),
 * then gives up with a log line; the upload is still validated by POST …/complete.
 */

const FUNCTION = 'uploadsS3Event';
const PREFIX = 'uploads/';
const RETRY_DELAYS_MS = [1_000, 2_000];

interface S3rverEvent {
  Records: { eventName: string; s3: { object: { key: string } } }[];
}

/** S3's key encoding in notifications: URL-encoded, `/` kept, spaces as `+`. */
const notificationKey = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');

export async function deliverObjectCreated(event: S3rverEvent): Promise<void> {
  const records = event.Records.filter(
    (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.object.key.startsWith(PREFIX),
  ).map((r) => ({
    ...r,
    s3: { ...r.s3, object: { ...r.s3.object, key: notificationKey(r.s3.object.key) } },
  }));
  if (records.length === 0) return;
  for (let attempt = 0; ; attempt++) {
    try {
      await invokeFunction(FUNCTION, { Records: records });
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        console.error(`S3 event for ${records.map((r) => r.s3.object.key)} not delivered: ${String(error)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
