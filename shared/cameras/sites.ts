import { randomBytes, randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { sha256Hex, safeEqual } from '../auth/crypto.ts';
import { dependencyFailure, notFound, AppError, viaDependency } from '../errors.ts';

/**
 * A site is one edge-streamer installation. Its edge key is shown once and stored only as a
 * SHA-256 hash (the key is 256 random bits, so a plain hash is enough). Items:
 *   site:   pk USER#<owner>  sk SITE#<siteId>            gsi1pk SITE#<siteId> gsi1sk SITE
 *   camera: pk USER#<owner>  sk CAMERA#<siteId>#<camId>   (written by heartbeats)
 */
export interface SiteRecord {
  siteId: string;
  ownerId: string;
  name: string;
  edgeKeyHash: string;
  publicUrl?: string;
  lastSeenAt?: string;
  createdAt: string;
}

const db = <T>(call: () => Promise<T>) => viaDependency('dynamodb', call);
const userPk = (userId: string) => `USER#${userId}`;

export const publicSite = (s: SiteRecord) => ({
  siteId: s.siteId,
  name: s.name,
  publicUrl: s.publicUrl ?? null,
  lastSeenAt: s.lastSeenAt ?? null,
  createdAt: s.createdAt,
});

export async function createSite(ownerId: string, name: string) {
  const siteId = `site_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const edgeKey = `fgek_${randomBytes(32).toString('base64url')}`;
  const site: SiteRecord = {
    siteId,
    ownerId,
    name,
    edgeKeyHash: sha256Hex(edgeKey),
    createdAt: new Date().toISOString(),
  };
  await db(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: userPk(ownerId),
          sk: `SITE#${siteId}`,
          gsi1pk: `SITE#${siteId}`,
          gsi1sk: 'SITE',
          ...site,
        },
      }),
    ),
  );
  return { siteId, name, edgeKey };
}

async function queryAll(input: ConstructorParameters<typeof QueryCommand>[0]) {
  const items: Record<string, unknown>[] = [];
  let start: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page: QueryCommandOutput = await db(() =>
      dynamo().send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export const listUserItems = (ownerId: string, skPrefix: string) =>
  queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
    ExpressionAttributeValues: { ':pk': userPk(ownerId), ':sk': skPrefix },
  });

export async function listSites(ownerId: string): Promise<SiteRecord[]> {
  return (await listUserItems(ownerId, 'SITE#')) as unknown as SiteRecord[];
}

async function findSite(siteId: string): Promise<SiteRecord | undefined> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
    ExpressionAttributeValues: { ':pk': `SITE#${siteId}`, ':sk': 'SITE' },
  });
  return items[0] as unknown as SiteRecord | undefined;
}

/** The site an edge key belongs to; 401 unless the key matches the stored hash of that site. */
export async function authenticateEdge(siteId: string, bearer: string | undefined): Promise<SiteRecord> {
  const key = /^Bearer (\S+)$/.exec(bearer ?? '')?.[1];
  const site = key ? await findSite(siteId) : undefined;
  if (!key || !site || !safeEqual(site.edgeKeyHash, sha256Hex(key))) {
    throw new AppError('INVALID_EDGE_KEY', 'The edge key is missing, revoked, or not for this site.');
  }
  return site;
}

/** Deletes the site (revoking its key) and the cameras it reported. */
export async function deleteSite(ownerId: string, siteId: string): Promise<void> {
  try {
    await dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: { pk: userPk(ownerId), sk: `SITE#${siteId}` },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') throw notFound('site');
    throw dependencyFailure('dynamodb', e);
  }
  for (const camera of await listUserItems(ownerId, `CAMERA#${siteId}#`)) {
    await db(() =>
      dynamo().send(
        new DeleteCommand({ TableName: tableName(), Key: { pk: userPk(ownerId), sk: camera.sk } }),
      ),
    );
  }
}
