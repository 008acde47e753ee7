import { sha256Hex } from '../../shared/client/webcrypto.ts';
import type { Api } from './api.ts';
import { ApiError } from './errors.ts';

/**
 * Direct-to-S3 upload (api-v1.md, "Uploads"): ask the API for a presigned POST (or multipart part URLs
 * above 10 MB), send the bytes to S3 with XMLHttpRequest so progress can be shown, then complete, which
 * validates the image. The uploadId then stands in for the image in every face call.
 */

export interface Upload {
  uploadId: string;
  status: 'pending' | 'validated' | 'rejected';
  reason?: string;
  width?: number;
  height?: number;
  format?: string;
  size?: number;
}

type Ticket =
  | { uploadId: string; method: 'POST'; url: string; fields: Record<string, string> }
  | { uploadId: string; method: 'MULTIPART'; partSize: number; parts: { partNumber: number; url: string }[] };

export const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/** Sends one request to S3, reporting bytes sent; resolves with the response's ETag. */
function sendToS3(
  method: 'POST' | 'PUT',
  url: string,
  body: FormData | Blob,
  onBytes: (sent: number, total: number) => void,
) {
  return new Promise<string | null>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.upload.onprogress = (event) => onBytes(event.loaded, event.lengthComputable ? event.total : 0);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('ETag'));
      else reject(s3Error(xhr.status, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'UPLOAD_FAILED', `Could not reach the storage at ${new URL(url).origin}.`));
    xhr.send(body);
  });
}

/** S3 answers errors in XML: keep its code and message, readable. */
function s3Error(status: number, xml: string): ApiError {
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return new ApiError(
    status,
    tag('Code') ?? `HTTP_${status}`,
    `The storage refused the upload: ${tag('Message') ?? `HTTP ${status}`}`,
  );
}

/** Uploads an image; `onProgress` gets 0..1 for the bytes sent to S3. Throws if validation rejects it. */
export async function uploadImage(
  api: Api,
  blob: Blob,
  onProgress: (fraction: number) => void,
): Promise<Upload> {
  if (!UPLOAD_TYPES.includes(blob.type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_IMAGE',
      `${blob.type || 'This file'} is not supported: choose a JPEG, PNG or WebP image.`,
    );
  }
  const sha256 = await sha256Hex(new Uint8Array(await blob.arrayBuffer()));
  const ticket = await api.post<Ticket>('/v1/uploads', { contentType: blob.type, size: blob.size, sha256 });
  onProgress(0);
  let parts: { partNumber: number; etag: string }[] | undefined;
  if (ticket.method === 'POST') {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append('file', blob); // S3 ignores fields after the file
    // Progress over the whole form body: the image plus a little multipart framing and the policy.
    await sendToS3('POST', ticket.url, form, (sent, total) => {
      if (total) onProgress(sent / total);
    });
  } else {
    const sent = new Map<number, number>();
    const report = () => onProgress([...sent.values()].reduce((a, b) => a + b, 0) / blob.size);
    parts = [];
    for (const part of ticket.parts) {
      const start = (part.partNumber - 1) * ticket.partSize;
      const etag = await sendToS3('PUT', part.url, blob.slice(start, start + ticket.partSize), (bytes) => {
        sent.set(part.partNumber, bytes);
        report();
      });
      if (!etag)
        throw new ApiError(
          0,
          'UPLOAD_FAILED',
          'The storage did not return the part ETag (CORS must expose it).',
        );
      parts.push({ partNumber: part.partNumber, etag });
    }
  }
  onProgress(1);
  const upload = await api.post<Upload>(`/v1/uploads/${ticket.uploadId}/complete`, parts ? { parts } : {});
  if (upload.status !== 'validated') {
    throw new ApiError(
      422,
      'UPLOAD_REJECTED',
      `The image was rejected${upload.reason ? `: ${upload.reason}` : ''}.`,
    );
  }
  return upload;
}
