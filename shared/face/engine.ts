/**
 * Face engine interface: the one contract handlers (`functions/faces-*.ts`) and domain code use.
 *
 * Usage from a handler:
 *
 *   const bytes = parseImageField(body.image);                    // shared/image/parse.ts
 *   const image = await loadImage(bytes, { maxPixels: config().MAX_IMAGE_PIXELS }); // shared/image/load.ts
 *   const { faces } = await getFaceEngine().detect(image, { maxFaces: 10 });
 *   // compare: detect both with { maxFaces: 1, withDescriptor: true }, then
 *   const similarity = engine.similarity(a.faces[0].descriptor!, b.faces[0].descriptor!);
 *   const match = similarity >= MATCH_LEVEL_SETTINGS.NORMAL.threshold;     // shared/face/match-levels.ts
 *   // 1:N with a vector index over stored (unit) descriptors: rank by dot product, then
 *   const similarity = engine.similarityFromCosine(dot);
 *   // liveness: checkLiveness(image, 'NORMAL') in shared/face/liveness.ts
 *
 * Guarantees:
 * - Coordinates (box, landmarks) are in pixels of the EXIF-oriented image (`image.width` x `image.height`),
 *   whatever resolution inference ran at.
 * - `faces` is sorted by box area, largest first, and holds at most `maxFaces` entries. No face is `[]`.
 * - Every face carries all attributes of the API's Face object; `descriptor` and `liveness` only when asked.
 * - Descriptors are only comparable when produced by the same `model.name` + `model.version`: store that
 *   pair next to every persisted descriptor and re-enrol when it changes. `similarity` throws on a length
 *   mismatch rather than return nonsense.
 * - Descriptors are unit vectors, so cosine = dot product. `similarity` (and `similarityFromCosine`, the
 *   same scale from a precomputed cosine) is in 0..1 (1 = same image); the decision thresholds for 1:1 and
 *   1:N are the match levels of match-levels.ts. The scale is not the cosine itself: rank by cosine, then map.
 * - The default engine loads its models once per process from local files (no network) on first use;
 *   `warmup()` does that eagerly and runs one inference so the first request is not slow.
 *
 * A remote provider (e.g. Baidu face API) would implement the same interface, encoding `image.pixels`
 * itself; nothing outside this folder depends on the embedded implementation.
 */
import type { LoadedImage } from '../image/load.ts';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export interface Landmarks {
  leftEye: Point;
  rightEye: Point;
  nose: Point;
  mouthLeft: Point;
  mouthRight: Point;
}

export interface FaceQuality {
  /** Shorter side of the box in oriented-image pixels. */
  faceSize: number;
  /** 0 (blurred) .. 1 (crisp), from the gradient energy of the face crop. */
  sharpness: number;
  /** Mean luma of the face crop, 0 (black) .. 1 (white). */
  brightness: number;
}

export interface LivenessScores {
  /** Anti-spoofing model: 0 = presentation attack (photo/screen), 1 = real. */
  antispoof: number;
  /** Liveness model: 0 = not live, 1 = live. */
  liveness: number;
  /**
   * MiniFASNet passive anti-spoofing (V2 + V1SE on 2.7x / 4x context crops around the face): mean
   * real-face probability, 0 = presentation attack, 1 = real.
   */
  pad: number;
  /** What the liveness thresholds apply to, 0..1, higher = live (see LIVENESS.md for the formula). */
  score: number;
}

export interface DetectedFace {
  /** The face's extent (hairline to chin, cheek to cheek), clamped to the image. */
  box: Box;
  /** Detector confidence 0..1. */
  score: number;
  /** Image-side naming: `leftEye` is the eye nearer the image's left edge (the subject's right eye). */
  landmarks: Landmarks;
  age: number;
  gender: { value: 'male' | 'female'; score: number };
  emotion: { value: Emotion; scores: Record<Emotion, number> };
  /** Degrees; yaw > 0 = face turned to the image's right, pitch > 0 = looking down, roll > 0 = clockwise. */
  pose: { yaw: number; pitch: number; roll: number };
  /** Eye and mouth aspect ratios from the mesh (gap over width): what blink and mouth actions read. */
  openness: { eyes: number; mouth: number };
  quality: FaceQuality;
  /** Present when `withDescriptor`: unit length; compare with `FaceEngine.similarity`. */
  descriptor?: Float32Array;
  /** Present when `withLiveness`. */
  liveness?: LivenessScores;
  /**
   * Present when `withMesh`: FaceMesh's 468 points (MediaPipe topology), x and y in image pixels, z the
   * relative depth in the same unit.
   */
  mesh?: [number, number, number][];
}

export interface DetectOptions {
  /** 1..50, default 10. */
  maxFaces?: number;
  withDescriptor?: boolean;
  withLiveness?: boolean;
  /** Also return the 468 FaceMesh points (`DetectedFace.mesh`): for tools and tests, not API responses. */
  withMesh?: boolean;
}

export interface DetectResult {
  imageWidth: number;
  imageHeight: number;
  faces: DetectedFace[];
}

export interface FaceModelInfo {
  /** Identifies the descriptor space, e.g. "dlib-resnet-v1". */
  name: string;
  version: string;
  descriptorLength: number;
}

export interface FaceEngineHealth {
  ok: boolean;
  /** Whether this process has loaded the models (then `ok` is the engine's own state, else its files'). */
  warm: boolean;
  backend: string;
  error?: string;
}

export interface FaceEngine {
  readonly model: FaceModelInfo;
  detect(image: LoadedImage, options?: DetectOptions): Promise<DetectResult>;
  /** 0..1; throws AppError 500 DESCRIPTOR_MISMATCH when lengths differ. */
  similarity(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** The same 0..1 scale from the cosine of two descriptors (monotonic, so ranking by cosine is safe). */
  similarityFromCosine(cosine: number): number;
  /** Loads models and runs one inference; idempotent, concurrent callers share one load. */
  warmup(): Promise<void>;
  /**
   * Never throws, never loads: a loaded engine reports itself; otherwise the last load error, else
   * whether every file it needs is present (a cold health check must not wait seconds for the models).
   */
  health(): FaceEngineHealth;
}

export const DEFAULT_MAX_FACES = 10;
export const MAX_MAX_FACES = 50;
