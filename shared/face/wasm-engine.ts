import * as tf from '@tensorflow/tfjs-core';
import { descriptorSimilarity, similarityFromCosine } from './similarity.ts';
import { livenessScore, loadAntispoof, type Antispoof } from './antispoof/pad.ts';
import type { LoadedImage } from '../image/load.ts';
import { ageFrom, emotionFrom, genderFrom, qualityFrom } from './attributes.ts';
import { detect as detectCandidates, type Detection } from './detector.ts';
import {
  DEFAULT_MAX_FACES,
  MAX_MAX_FACES,
  type Box,
  type DetectOptions,
  type DetectResult,
  type DetectedFace,
  type FaceEngine,
  type FaceEngineHealth,
} from './engine.ts';
import { alignCrop, boundingRect, overlapOfSmaller, sampleCrop, type Pt, type Rect } from './geometry.ts';
import { fivePoints, headPose, meshCrop, openness, runMesh, type Mesh } from './mesh.ts';
import {
  initBackend,
  loadModel,
  missingFaceAssets,
  readRecognitionWeights,
  type FaceModel,
} from './models.ts';
import { CHIP_SIZE, createRecognitionNet, type RecognitionNet } from './recognition-net.ts';

/**
 * The embedded engine: models shipped with @vladmandic/human (BlazeFace, FaceMesh, faceres, emotion,
 * antispoof, liveness) and @vladmandic/face-api (dlib ResNet descriptor) on the tfjs WASM backend,
 * driven by our own pipeline rather than Human's (see ACCURACY.md for why and for the figures):
 *
 *   detector (once per image; again on a border-padded frame when it finds nothing, for tight crops)
 *   -> FaceMesh on every candidate, batched (drops non-faces, gives landmarks, pose and the upright crop)
 *   -> attribute models batched over the upright crops (faceres: age and gender; emotion; liveness)
 *   -> descriptor on a 150 px chip aligned to dlib's mean face by 5 landmarks (only when asked).
 */

const DETECTOR_MIN_SCORE = 0.55;
const DETECTOR_IOU = 0.3;
/** Border added for the second detector pass, as a fraction of the longer side. */
const RETRY_PADDING = 0.25;
const MESH_MIN_SCORE = 0.5;
/**
 * A mesh box covered this much by a bigger one is the same face found twice (BlazeFace also fires on
 * half-face windows, and FaceMesh happily confirms those).
 */
const DUPLICATE_OVERLAP = 0.5;
/** Below this (shorter side, inference pixels) there is no face worth reporting. */
const MIN_IMAGE_SIDE = 24;
/** faceres runs below its native 224 px: the same genders and ages within ~3 years, at half the cost. */
const FACERES_INPUT = 160;

/**
 * dlib's mean face (get_face_chip_details) at its 0.25 padding, for our five landmarks:
 * eye centres, nose tip, mouth corners, in 150 px chip coordinates.
 */
const CHIP_TEMPLATE: Pt[] = [
  [0.225492, 0.21599],
  [0.754761, 0.21599],
  [0.490127, 0.515625],
  [0.254149, 0.780233],
  [0.726104, 0.780233],
].map(([x, y]) => [((x! + 0.25) / 1.5) * CHIP_SIZE, ((y! + 0.25) / 1.5) * CHIP_SIZE]);

const MODEL_INFO = { name: 'dlib-resnet-v1', version: 'facegate-1', descriptorLength: 128 };

interface Models {
  detector: FaceModel;
  mesh: FaceModel;
  faceres: FaceModel;
  emotion: FaceModel;
  recognition: RecognitionNet;
}

/** Only liveness checks need these: loaded on the first one, so they cost other cold starts nothing. */
interface LivenessModels {
  antispoof: FaceModel;
  liveness: FaceModel;
  /** MiniFASNet V2 + V1SE on context crops around the mesh box (antispoof/pad.ts). */
  pad: Antispoof;
}

/** Grey weights (ITU-R BT.601) used by the emotion model's training data. */
const GREY = [0.2989, 0.587, 0.114];

/** One pass on zeros: the first real request then skips XNNPACK operator setup and memory growth. */
function warmUp(model: FaceModel, shape: number[]): void {
  tf.tidy(() => {
    for (const t of [model.execute(tf.zeros(shape))].flat()) t.dataSync();
  });
}

async function loadModels(): Promise<Models> {
  await initBackend();
  const [detector, mesh, faceres, emotion] = await Promise.all([
    loadModel('blazeface'),
    loadModel('facemesh'),
    loadModel('faceres', { inputSize: FACERES_INPUT }),
    loadModel('emotion'),
  ]);
  const recognition = createRecognitionNet(readRecognitionWeights());
  warmUp(detector, [1, 256, 256, 3]);
  warmUp(mesh, [1, 192, 192, 3]);
  warmUp(faceres, [1, FACERES_INPUT, FACERES_INPUT, 3]);
  warmUp(emotion, [1, 64, 64, 1]);
  tf.tidy(() => recognition.embed(tf.zeros([1, CHIP_SIZE, CHIP_SIZE, 3])).dataSync());
  return { detector, mesh, faceres, emotion, recognition };
}

async function loadLivenessModels(): Promise<LivenessModels> {
  const [antispoof, liveness, pad] = await Promise.all([
    loadModel('antispoof'),
    loadModel('liveness'),
    loadAntispoof(), // warms itself
  ]);
  warmUp(antispoof, [1, 128, 128, 3]);
  warmUp(liveness, [1, 32, 32, 3]);
  return { antispoof, liveness, pad };
}

interface Candidate {
  detection: Detection;
  mesh: Mesh;
  /** Index in the mesh batch. */
  index: number;
  /** Mesh bounding box, inference pixels. */
  box: Rect;
}

interface Found {
  faces: Candidate[];
  /** Upright mesh crops of every candidate (indexed by `Candidate.index`); the caller disposes them. */
  crops: tf.Tensor4D;
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

export function createWasmEngine(): FaceEngine {
  let loading: Promise<Models> | undefined;
  let loadError: string | undefined;
  let loaded = false;
  let livenessLoading: Promise<LivenessModels> | undefined;
  const livenessModels = () => {
    livenessLoading ??= loadLivenessModels().catch((e: unknown) => {
      livenessLoading = undefined;
      throw e;
    });
    return livenessLoading;
  };
  const models = () => {
    loading ??= loadModels().then(
      (m) => {
        loaded = true;
        return m;
      },
      (e: unknown) => {
        loading = undefined; // a later call may retry (e.g. a transient file-system error)
        loadError = e instanceof Error ? e.message : String(e);
        throw e;
      },
    );
    return loading;
  };

  async function detect(image: LoadedImage, options: DetectOptions = {}): Promise<DetectResult> {
    const maxFaces = Math.min(Math.max(Math.trunc(options.maxFaces ?? DEFAULT_MAX_FACES), 1), MAX_MAX_FACES);
    const m = await models();
    const live = options.withLiveness ? await livenessModels() : undefined;
    const { pixels } = image;
    const result: DetectResult = { imageWidth: image.width, imageHeight: image.height, faces: [] };
    if (Math.min(pixels.width, pixels.height) < MIN_IMAGE_SIDE) return result;

    const input = tf.tensor4d(new Float32Array(pixels.data), [1, pixels.height, pixels.width, 3]);
    try {
      const found = await findFaces(m, input, maxFaces);
      if (!found) return result;
      try {
        if (found.faces.length > 0) result.faces = await describe(m, live, input, image, found, options);
      } finally {
        found.crops.dispose();
      }
      return result;
    } finally {
      input.dispose();
    }
  }

  /** Detector + mesh: confirmed, de-duplicated faces, largest first, at most `maxFaces`. */
  async function findFaces(m: Models, input: tf.Tensor4D, maxFaces: number): Promise<Found | undefined> {
    const opts = { minScore: DETECTOR_MIN_SCORE, iouThreshold: DETECTOR_IOU };
    let detections = await detectCandidates(m.detector, input, { ...opts, padding: 0 });
    if (detections.length === 0)
      detections = await detectCandidates(m.detector, input, { ...opts, padding: RETRY_PADDING });
    // The mesh confirms faces; give it a few spare candidates for the ones it rejects.
    detections = detections.sort((a, b) => b.score - a.score).slice(0, maxFaces + 5);
    if (detections.length === 0) return undefined;
    const { meshes, faces: crops } = await runMesh(m.mesh, input, detections.map(meshCrop));
    const confirmed = detections
      .map((detection, index): Candidate => {
        const mesh = meshes[index]!;
        return { detection, mesh, index, box: boundingRect(mesh.points.map(([x, y]) => [x, y])) };
      })
      .filter((c) => c.mesh.score >= MESH_MIN_SCORE)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    const kept: Candidate[] = [];
    for (const c of confirmed)
      if (kept.every((k) => overlapOfSmaller(k.box, c.box) < DUPLICATE_OVERLAP)) kept.push(c);
    return { faces: kept.slice(0, maxFaces), crops };
  }

  async function describe(
    m: Models,
    live: LivenessModels | undefined,
    input: tf.Tensor4D,
    image: LoadedImage,
    found: Found,
    options: DetectOptions,
  ): Promise<DetectedFace[]> {
    const { faces } = found;
    const sx = image.width / image.pixels.width;
    const sy = image.height / image.pixels.height;
    const toImage = ([x, y]: Pt) => ({
      x: Math.min(Math.max(x * sx, 0), image.width),
      y: Math.min(Math.max(y * sy, 0), image.height),
    });

    // Attribute models read the upright mesh crops of the kept faces ([n, 192, 192, 3], 0..1).
    const pending: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      // Slices, not tf.gather: WASM's GatherV2 copies element by element (~10 ms per crop).
      const crops = tf.concat(faces.map((f) => tf.slice(found.crops, [f.index, 0, 0, 0], [1, -1, -1, -1])));
      const resize = (size: number) => tf.image.resizeBilinear(crops, [size, size]);
      const grey64 = tf.sum(tf.mul(resize(64), GREY), 3, true);
      pending.emotion = m.emotion.execute(tf.mul(tf.sub(grey64, 0.5), 2)) as tf.Tensor;
      const faceres = m.faceres.execute(tf.mul(resize(FACERES_INPUT), 255)) as tf.Tensor[];
      pending.gender = faceres.find((t) => t.shape[1] === 1)!;
      pending.age = faceres.find((t) => t.shape[1] === 100)!;
      // Quality over the face proper: the central 60 % of the crop (the crop is 1.4 x the detector box).
      pending.quality = tf.mul(
        tf.sum(tf.mul(tf.slice(crops, [0, 38, 38, 0], [-1, 116, 116, 3]), GREY), 3),
        255,
      );
      if (live) {
        pending.antispoof = live.antispoof.execute(resize(128)) as tf.Tensor;
        pending.liveness = live.liveness.execute(resize(32)) as tf.Tensor;
        const boxes = faces.map((f) => f.box);
        pending.pad = live.pad.realProbability(input, boxes);
      }
      if (options.withDescriptor) {
        const chips = faces.map((f) => {
          const p = fivePoints(f.mesh);
          return sampleChip(input, [p.leftEye, p.rightEye, p.nose, p.mouthLeft, p.mouthRight]);
        });
        pending.descriptor = m.recognition.embed(tf.concat(chips));
      }
      Object.values(pending).forEach((t) => tf.keep(t));
    });
    const keys = Object.keys(pending);
    const data = Object.fromEntries(
      await Promise.all(keys.map(async (k) => [k, (await pending[k]!.data()) as Float32Array] as const)),
    );
    tf.dispose(Object.values(pending));

    const described = faces.map((f, i): DetectedFace => {
      const p = fivePoints(f.mesh);
      const tl = toImage([f.box.x, f.box.y]);
      const br = toImage([f.box.x + f.box.width, f.box.y + f.box.height]);
      const box: Box = { x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y };
      const face: DetectedFace = {
        box,
        score: f.detection.score,
        landmarks: {
          leftEye: toImage(p.leftEye),
          rightEye: toImage(p.rightEye),
          nose: toImage(p.nose),
          mouthLeft: toImage(p.mouthLeft),
          mouthRight: toImage(p.mouthRight),
        },
        age: ageFrom(data.age!.subarray(i * 100, (i + 1) * 100)),
        gender: genderFrom(data.gender![i]!),
        emotion: emotionFrom(data.emotion!.subarray(i * 7, (i + 1) * 7)),
        pose: headPose(f.mesh),
        openness: openness(f.mesh),
        quality: qualityFrom(
          data.quality!.subarray(i * 116 * 116, (i + 1) * 116 * 116),
          116,
          Math.min(box.width, box.height),
        ),
      };
      if (data.descriptor) face.descriptor = unit(data.descriptor.slice(i * 128, (i + 1) * 128));
      if (options.withMesh) face.mesh = f.mesh.points.map(([x, y, z]) => [x * sx, y * sy, z * sx]);
      if (data.antispoof && data.liveness) {
        const antispoof = data.antispoof[i]!;
        const liveness = data.liveness[i * 2]!;
        const pad = data.pad![i]!;
        face.liveness = { antispoof, liveness, pad, score: livenessScore({ antispoof, liveness, pad }) };
      }
      return face;
    });
    // Clamping to the image can change the order of faces cut by its border.
    return described.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  function sampleChip(input: tf.Tensor4D, points: Pt[]): tf.Tensor4D {
    return sampleCrop(input, alignCrop(points, CHIP_TEMPLATE, CHIP_SIZE));
  }

  return {
    model: MODEL_INFO,
    detect,
    similarityFromCosine,
    similarity: descriptorSimilarity,
    async warmup() {
      await models();
    },
    health(): FaceEngineHealth {
      if (loaded) return { ok: true, warm: true, backend: tf.getBackend() };
      const missing = missingFaceAssets();
      const error = loadError ?? (missing.length ? `missing: ${missing.join(', ')}` : undefined);
      return { ok: !error, warm: false, backend: 'wasm', ...(error ? { error } : {}) };
    },
  };
}
