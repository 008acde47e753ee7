import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { AppError, notFound, viaDependency } from '../errors.ts';
import { listUserItems, type SiteRecord } from './sites.ts';
import { streamKeys } from './stream-keys.ts';
// The heartbeat's shape: one schema for the streamer and the API.
import type { CameraStatus, ReportedCamera } from '../../edge-streamer/src/heartbeat-schema.ts';

/** A camera whose site has not reported for this long is shown offline whatever it last said. */
export const STALE_AFTER_SECONDS = 90;

/** Records a heartbeat: the site's public URL and each camera's status. */
export async function recordHeartbeat(site: SiteRecord, publicUrl: string, cameras: ReportedCamera[]) {
  const now = new Date().toISOString();
  await viaDependency('dynamodb', async () => {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: `USER#${site.ownerId}`, sk: `SITE#${site.siteId}` },
        UpdateExpression: 'SET publicUrl = :u, lastSeenAt = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':u': publicUrl, ':t': now },
      }),
    );
    for (let i = 0; i < cameras.length; i += 25) {
      await dynamo().send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName()]: cameras.slice(i, i + 25).map((c) => ({
              PutRequest: {
                Item: {
                  pk: `USER#${site.ownerId}`,
                  sk: `CAMERA#${site.siteId}#${c.cameraId}`,
                  siteId: site.siteId,
                  ...c,
                  lastSeenAt: now,
                },
              },
            })),
          },
        }),
      );
    }
  });
  return { receivedAt: now };
}

export async function listCameras(ownerId: string, nowMs = Date.now()) {
  const items = await listUserItems(ownerId, 'CAMERA#');
  return items.map((c) => {
    const lastSeenAt = String(c.lastSeenAt);
    const stale = nowMs - Date.parse(lastSeenAt) > STALE_AFTER_SECONDS * 1000;
    return {
      cameraId: String(c.cameraId),
      siteId: String(c.siteId),
      name: String(c.name),
      status: (stale ? 'offline' : c.status) as CameraStatus,
      ...(c.width ? { width: Number(c.width) } : {}),
      ...(c.height ? { height: Number(c.height) } : {}),
      ...(c.fps ? { fps: Number(c.fps) } : {}),
      lastSeenAt,
    };
  });
}

/**
 * Short-lived URLs on the site's tunnel address. The token is an ES256 JWT (`sub` camera,
 * `aud` site) the streamer verifies offline with the public key from the JWKS endpoint.
 */
export async function issueStreamToken(
  ownerId: string,
  cameraId: string,
  ttlSeconds: number,
  siteId?: string,
) {
  const [cameras, sites] = await Promise.all([
    listUserItems(ownerId, 'CAMERA#'),
    listUserItems(ownerId, 'SITE#'),
  ]);
  const matches = cameras.filter((c) => c.cameraId === cameraId && (!siteId || c.siteId === siteId));
  if (matches.length === 0) throw notFound('camera');
  if (matches.length > 1) {
    throw new AppError('AMBIGUOUS_CAMERA', 'Several of your sites have a camera with this id; pass siteId.', {
      siteIds: matches.map((c) => c.siteId),
    });
  }
  const site = sites.find((s) => s.siteId === matches[0]!.siteId);
  if (!site) throw notFound('camera');
  if (!site.publicUrl) throw new AppError('SITE_NOT_CONNECTED', 'The site has not reported its address yet.');
  const { privateKey, kid } = streamKeys();
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setSubject(cameraId)
    .setAudience(String(site.siteId))
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(privateKey);
  const base = `${String(site.publicUrl).replace(/\/+$/, '')}/cameras/${encodeURIComponent(cameraId)}`;
  return {
    streamUrl: `${base}/stream.mjpeg?token=${token}`,
    snapshotUrl: `${base}/snapshot.jpg?token=${token}`,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
