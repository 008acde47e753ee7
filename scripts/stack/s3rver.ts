import { createRequire } from 'node:module';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deliverObjectCreated } from './s3-events.ts';
import { startS3Front } from './s3-front.ts';

/**
 * The local S3: s3rver behind a front that enforces SigV4 and presigned POST policies (s3-front.ts),
 * with the two multipart calls it lacks and uploads rely on (resume, abort): ListParts
 * (GET /<bucket>/<key>?uploadId=) and AbortMultipartUpload (DELETE /<bucket>/<key>?uploadId=). Both
 * read s3rver's own part files (<directory>/<bucket>/._S3rver_uploads/<uploadId>/<partNumber>[.md5]).
 * Writes under uploads/ are sent on to the uploadsS3Event function, as the bucket notification does in
 * AWS (s3-events.ts). Same flags as s3rver's bin: --directory, --address, --port.
 */

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverApp {
  middleware: Middleware[];
  on(event: 'event', listener: (event: Parameters<typeof deliverObjectCreated>[0]) => void): void;
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

const S3rver = createRequire(import.meta.url)('s3rver') as new (options: object) => S3rverApp;

const { values } = parseArgs({
  options: {
    directory: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '4569' },
  },
});
if (!values.directory) throw new Error('--directory is required');
const directory = values.directory;

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function xml(ctx: KoaContext, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

async function listParts(uploadDir: string): Promise<string> {
  const numbers = (await readdir(uploadDir)).filter((f) => /^\d+$/.test(f)).map(Number);
  const parts = await Promise.all(
    numbers
      .sort((a, b) => a - b)
      .map(async (n) => {
        const file = path.join(uploadDir, String(n));
        const [info, md5] = await Promise.all([stat(file), readFile(`${file}.md5`, 'utf8')]);
        return (
          `<Part><PartNumber>${n}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified>` +
          `<ETag>"${md5.trim()}"</ETag><Size>${info.size}</Size></Part>`
        );
      }),
  );
  return parts.join('');
}

const multipartShim: Middleware = async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  const [bucket = '', ...keyParts] = ctx.path.slice(1).split('/');
  const isListOrAbort = (ctx.method === 'GET' || ctx.method === 'DELETE') && !('partNumber' in ctx.query);
  if (typeof uploadId !== 'string' || keyParts.length === 0 || !isListOrAbort) return next();

  const key = decodeURIComponent(keyParts.join('/'));
  const uploadDir = path.join(directory, bucket, '._S3rver_uploads', path.basename(uploadId));
  const exists = await stat(uploadDir).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const error = `<Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message>`;
    return xml(ctx, 404, `<Error>${error}<UploadId>${xmlEscape(uploadId)}</UploadId></Error>`);
  }
  if (ctx.method === 'DELETE') {
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  const head = `<Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(uploadId)}</UploadId>`;
  const parts = await listParts(uploadDir);
  xml(ctx, 200, `<ListPartsResult>${head}<IsTruncated>false</IsTruncated>${parts}</ListPartsResult>`);
};

// s3rver itself listens on a free loopback port that nothing else is told about; --port belongs to the
// policy-enforcing front (s3-front.ts), which checks signatures and POST policies as S3 does and
// forwards what S3 would accept.
const server = new S3rver({ directory, address: '127.0.0.1', port: 0 });
// After s3rver's request logger (the first middleware), before its router.
server.middleware.splice(1, 0, multipartShim);
server.on('event', (event) => void deliverObjectCreated(event));
const backend = await server.run();
const front = await startS3Front({
  address: values.address,
  port: Number(values.port),
  backend: { host: '127.0.0.1', port: backend.port },
  // The only credentials s3rver knows (scripts/stack/env.ts).
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
console.log(
  `S3 front (SigV4 and POST policy enforced) listening on ${values.address}:${values.port}, ` +
    `s3rver (with ListParts and AbortMultipartUpload) behind it on 127.0.0.1:${backend.port}`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    front.close();
    void server.close().then(() => process.exit(0));
  });
}
