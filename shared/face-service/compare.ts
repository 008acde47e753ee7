import { sha256Hex } from '../auth/crypto.ts';
import { unprocessable } from '../errors.ts';
import { getFaceEngine, type DetectedFace } from '../face/engine.ts';
import { decodeImage, resolveImageBytes, type ImageSource } from '../image-input.ts';
import { presentBox } from './present.ts';
import { cached, remember, resultCacheKey } from './result-cache.ts';

async function largestFace(bytes: Buffer, which: 'a' | 'b'): Promise<DetectedFace> {
  const image = await decodeImage(bytes);
  const { faces } = await getFaceEngine().detect(image, { maxFaces: 1, withDescriptor: true });
  const face = faces[0];
  if (!face?.descriptor) throw unprocessable('NO_FACE', `No face was found in image ${which}.`, { which });
  return face;
}

/** 1:1 verification of the largest face of each image at the engine's shipped threshold. */
export async function compareFaces(userId: string, a: ImageSource, b: ImageSource) {
  const engine = getFaceEngine();
  const [bytesA, bytesB] = await Promise.all([resolveImageBytes(userId, a), resolveImageBytes(userId, b)]);
  // Similarity is symmetric: order the hashes so a/b swapped hits the same entry, boxes follow.
  const [ha, hb] = [sha256Hex(bytesA), sha256Hex(bytesB)];
  const key = resultCacheKey(
    userId,
    'compare',
    ha < hb ? `${ha}:${hb}` : `${hb}:${ha}`,
    engine.model.version,
  );
  const hit = await cached<{ similarity: number; boxes: Record<string, ReturnType<typeof presentBox>> }>(key);
  if (hit && hit.boxes[ha] && hit.boxes[hb]) {
    return result(hit.similarity, engine.matchThreshold, hit.boxes[ha], hit.boxes[hb]);
  }
  const faceA = await largestFace(bytesA, 'a');
  const faceB = await largestFace(bytesB, 'b');
  const similarity = engine.similarity(faceA.descriptor!, faceB.descriptor!);
  const [boxA, boxB] = [presentBox(faceA.box), presentBox(faceB.box)];
  await remember(key, { similarity, boxes: { [ha]: boxA, [hb]: boxB } });
  return result(similarity, engine.matchThreshold, boxA, boxB);
}

const result = (similarity: number, threshold: number, boxA: unknown, boxB: unknown) => ({
  similarity: Math.round(similarity * 10000) / 10000,
  match: similarity >= threshold,
  threshold,
  faceA: { box: boxA },
  faceB: { box: boxB },
});
