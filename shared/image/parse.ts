import { AppError } from '../errors.ts';

export const unsupportedImage = (message: string, details?: Record<string, unknown>) =>
  new AppError('UNSUPPORTED_IMAGE', message, details);

const DATA_URL = /^data:([^;,]*)(;[^,]*)?,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes the API's `image` field: base64 (standard or URL-safe alphabet, padding optional), optionally
 * wrapped as `data:image/<type>;base64,<data>`. Whether the bytes really are an image is `loadImage`'s job.
 */
export function parseImageField(value: string): Buffer {
  let payload = value.trim();
  const dataUrl = DATA_URL.exec(payload);
  if (dataUrl) {
    const mime = (dataUrl[1] ?? '').toLowerCase();
    if (!mime.startsWith('image/') || !/;base64$/i.test(dataUrl[2] ?? '')) {
      throw unsupportedImage('Only base64 data URLs of type image/* are accepted.');
    }
    payload = payload.slice(dataUrl[0].length);
  }
  // Clients commonly wrap long base64 lines; whitespace carries no data.
  payload = payload.replace(/\s+/g, '');
  if (payload.length === 0) throw unsupportedImage('The image is empty.');
  if (!BASE64.test(payload) || payload.replace(/=+$/, '').length % 4 === 1) {
    throw unsupportedImage('The image is not valid base64.');
  }
  return Buffer.from(payload, 'base64');
}
