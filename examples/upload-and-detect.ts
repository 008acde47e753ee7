/**
 * The direct-to-S3 upload flow end to end, with the repo's signing client:
 *   npx tsx examples/upload-and-detect.ts tests/fixtures/faces/misc/faces.jpg [apiOrigin]
 * 1. POST /v1/uploads declares type, size and sha256 -> a presigned POST (url + form fields)
 * 2. the file goes straight to S3 as multipart/form-data (the API never sees the bytes)
 * 3. POST /v1/uploads/{id}/complete validates it (real type, pixel count, decode, metadata stripped)
 * 4. any image endpoint takes the uploadId instead of base64
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FacegateClient } from '../shared/client/client.ts';

const [file, origin = 'http://localhost:3000'] = process.argv.slice(2);
if (!file) throw new Error('usage: npx tsx examples/upload-and-detect.ts <image> [apiOrigin]');
const bytes = readFileSync(file);
const contentType = file.endsWith('.png') ? 'image/png' : file.endsWith('.webp') ? 'image/webp' : 'image/jpeg';

const client = await FacegateClient.login(origin, 'test:alice'); // the local stack's fake WeChat
const upload = await client.post('/v1/uploads', {
  contentType,
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
});
if (upload.status !== 201 || upload.body.method !== 'POST') throw new Error(JSON.stringify(upload.body));

const form = new FormData();
for (const [name, value] of Object.entries(upload.body.fields as Record<string, string>)) form.append(name, value);
form.append('file', new Blob([bytes], { type: contentType })); // the file must be the last field
const s3 = await fetch(upload.body.url, { method: 'POST', body: form });
console.log('S3 POST', s3.status);

const done = await client.post(`/v1/uploads/${upload.body.uploadId}/complete`, {});
console.log('complete', done.status, done.body);
const detect = await client.post('/v1/faces/detect', { uploadId: upload.body.uploadId });
console.log('detect', detect.status, `${detect.body.faceCount} faces`);
