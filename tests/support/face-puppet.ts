import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { type DetectedFace } from '../../shared/face/engine.ts';
import { getFaceEngine } from '../../shared/face/default-engine.ts';
import { loadImage } from '../../shared/image/load.ts';

/**
 * Synthetic liveness footage from a still face: the photo is placed on a plain backdrop, FaceMesh's 468
 * points are read from it, and each frame re-renders it with the head turned (yaw), nodded (pitch),
 * eyes closed and/or mouth open, by moving those points and warping the picture triangle by triangle
 * (piecewise affine over a Delaunay triangulation of the points plus rings of softer and fixed points,
 * so hair and neck follow a little and the backdrop stays put). Rotation is orthographic about a point
 * behind the face; triangles are painted far to near, so the nose hides the far cheek. Good enough for
 * FaceMesh and the descriptor to read the intended pose and identity; not a face animation system.
 *
 *   const puppet = await FacePuppet.create(fixture('amy/amy1.png'));
 *   const jpeg = await puppet.jpeg({ yaw: 25, eyesClosed: 1 });
 *   const frames = await challengeFrames(fixture('amy/amy1.png'), ['TURN_LEFT', 'BLINK']);
 *
 * Directions follow the engine: `yaw` > 0 turns the face towards the image's right (the subject's own
 * left in an unmirrored camera frame: the TURN_LEFT action), `pitch` > 0 looks down (NOD).
 */

type P2 = [number, number];
type P3 = [number, number, number];

export interface Expression {
  /** Degrees, engine convention: > 0 = face turned towards the image's right. */
  yaw?: number;
  /** Degrees, engine convention: > 0 = looking down. */
  pitch?: number;
  /** 0 = as photographed, 1 = closed. */
  eyesClosed?: number;
  /** 0 = as photographed, 1 = wide open (mouth aspect ~0.6). */
  mouthOpen?: number;
}

/** Camera shake: a shift and scale of the whole frame, plus sensor noise, so no two frames are equal. */
export interface Jitter {
  dx?: number;
  dy?: number;
  scale?: number;
  /** Peak amplitude of uniform per-pixel noise, grey levels. */
  noise?: number;
  seed?: number;
}

export interface StageOptions {
  /** Frame size, default 640 x 480. */
  width?: number;
  height?: number;
  /** Side the face photo is scaled to (fit inside), default 0.75 x height. */
  faceSize?: number;
  seed?: number;
}

export interface RawFrame {
  data: Buffer;
  width: number;
  height: number;
}

// MediaPipe FaceMesh topology. "Image-left" eye = the subject's right eye in an unmirrored photo.
const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149,
  150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
/**
 * Per eye, outer corner to inner: upper lid, lower lid (corners excluded), the fold above the lid, the
 * ring below the brow, the rings under the lower lid; and the corners.
 */
const EYES = [
  {
    upper: [246, 161, 160, 159, 158, 157, 173],
    lower: [7, 163, 144, 145, 153, 154, 155],
    fold: [247, 30, 29, 27, 28, 56, 190],
    brow: [113, 225, 224, 223, 222, 221, 189],
    under: [25, 110, 24, 23, 22, 26, 112],
    cheek: [31, 228, 229, 230, 231, 232, 233],
    corners: [33, 133],
  },
  {
    upper: [466, 388, 387, 386, 385, 384, 398],
    lower: [249, 390, 373, 374, 380, 381, 382],
    fold: [467, 260, 259, 257, 258, 286, 414],
    brow: [342, 445, 444, 443, 442, 441, 413],
    under: [255, 339, 254, 253, 252, 256, 341],
    cheek: [261, 448, 449, 450, 451, 452, 453],
    corners: [263, 362],
  },
];
const LIPS_UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
const LIPS_LOWER_INNER = [95, 88, 178, 87, 14, 317, 402, 318, 324];
/** Every contour of each lip (outer, two middle, inner), corners with the upper lip. */
const UPPER_LIP = new Set([
  ...[61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291],
  ...[76, 184, 74, 73, 72, 11, 302, 303, 304, 408, 306],
  ...[62, 183, 42, 41, 38, 12, 268, 271, 272, 407, 292],
  ...LIPS_UPPER_INNER,
]);
const LOWER_LIP = new Set([
  ...[146, 91, 181, 84, 17, 314, 405, 321, 375],
  ...[77, 90, 180, 85, 16, 315, 404, 320, 307],
  ...[96, 89, 179, 86, 15, 316, 403, 319, 325],
  ...LIPS_LOWER_INNER,
]);
const NOSE_TIP = 1;
const CHEEK_IMAGE_LEFT = 234;
const CHEEK_IMAGE_RIGHT = 454;
const GLABELLA = 8;
const CHIN = 152;

/** Soft rings around the face oval: (scale from the face centre, share of the oval's motion). */
const RINGS: [number, number][] = [
  [1.2, 0.6],
  [1.5, 0.2],
];
/** Lids meet this far up from the lower lid (share of the open gap). */
/** Lids meet this far up from the lower lid (share of the open gap); the fold follows this share. */
const LID_MEET = 0.2;
const FOLD_FOLLOWS = 0.45;
/** A firm blink: brow and cheek close in on the eye by this share. */
const SQUEEZE = 0.5;
/** Opacity of the smooth skin painted over a closed lid; lash line width as a share of the eye's. */
const LID_SKIN = 0.85;
const LASH_WIDTH = 0.05;
/**
 * FaceMesh's depth is flatter than a real face: turning its points as they are moves the nose too
 * little, and the engine reads ~2/3 of the asked angle. This brings it to about the asked angle.
 */
const DEPTH_GAIN = 1.4;
/** Jaw drop of a fully open mouth, as a share of the mouth's width. */
const JAW_DROP = 0.75;
const MOUTH_COLOUR: P3 = [34, 24, 24];
const TEETH_COLOUR: P3 = [214, 210, 200];
const TONGUE_COLOUR: P3 = [120, 72, 72];
const LASH_COLOUR: P3 = [28, 22, 22];

/** Deterministic PRNG (mulberry32): the same seed gives the same footage. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bowyer-Watson Delaunay triangulation (O(n^2), fine for a few hundred points). Counter-clockwise or not. */
export function delaunay(points: P2[]): [number, number, number][] {
  const n = points.length;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const d = Math.max(maxX - minX, maxY - minY) * 20;
  const mx = (minX + maxX) / 2;
  const my = (minY + maxY) / 2;
  const all: P2[] = [...points, [mx - d, my - d], [mx, my + d], [mx + d, my - d]];
  interface Tri {
    v: [number, number, number];
    cx: number;
    cy: number;
    r2: number;
  }
  const make = (a: number, b: number, c: number): Tri => {
    const [ax, ay] = all[a]!;
    const [bx, by] = all[b]!;
    const [cx, cy] = all[c]!;
    const den = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
    if (Math.abs(den) < 1e-12) return { v: [a, b, c], cx: 0, cy: 0, r2: Infinity };
    const a2 = ax * ax + ay * ay;
    const b2 = bx * bx + by * by;
    const c2 = cx * cx + cy * cy;
    const ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / den;
    const uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / den;
    return { v: [a, b, c], cx: ux, cy: uy, r2: (ax - ux) ** 2 + (ay - uy) ** 2 };
  };
  let tris: Tri[] = [make(n, n + 1, n + 2)];
  for (let i = 0; i < n; i++) {
    const [px, py] = all[i]!;
    const edges = new Map<string, [number, number]>();
    const keep: Tri[] = [];
    for (const t of tris) {
      if ((px - t.cx) ** 2 + (py - t.cy) ** 2 < t.r2) {
        for (const [a, b] of [
          [t.v[0], t.v[1]],
          [t.v[1], t.v[2]],
          [t.v[2], t.v[0]],
        ] as [number, number][]) {
          const key = a < b ? `${a},${b}` : `${b},${a}`;
          if (edges.has(key)) edges.delete(key);
          else edges.set(key, [a, b]);
        }
      } else keep.push(t);
    }
    for (const [a, b] of edges.values()) keep.push(make(a, b, i));
    tris = keep;
  }
  return tris.filter((t) => t.v.every((v) => v < n)).map((t) => t.v);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const smoothstep = (a: number, b: number, v: number) => {
  const t = clamp((v - a) / (b - a), 0, 1);
  return t * t * (3 - 2 * t);
};

/** One face photo on a backdrop, with its mesh: renders it in any pose and expression. */
export class FacePuppet {
  private constructor(
    /** The neutral stage, packed RGB. */
    private readonly stage: RawFrame,
    /** The mesh read from the stage, z flipped if needed so that larger = farther from the camera. */
    readonly mesh: P3[],
    /** The face as the engine read it on the stage. */
    readonly face: DetectedFace,
    private readonly ringSources: { point: P2; oval: number; share: number }[],
    private readonly border: P2[],
    private readonly triangles: [number, number, number][],
  ) {}

  get width(): number {
    return this.stage.width;
  }

  get height(): number {
    return this.stage.height;
  }

  /** Places `photo` (any format sharp reads) on the backdrop and reads its mesh; throws without a face. */
  static async create(photo: Buffer, options: StageOptions = {}): Promise<FacePuppet> {
    const width = options.width ?? 640;
    const height = options.height ?? 480;
    const side = options.faceSize ?? Math.round(height * 0.75);
    const face = await sharp(photo)
      .rotate()
      .resize(side, side, { fit: 'inside', kernel: 'lanczos3' })
      .flatten({ background: '#808080' })
      .png()
      .toBuffer({ resolveWithObject: true });
    // A plain, slightly textured grey-blue wall.
    const wall = await sharp({
      create: {
        width,
        height,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 10 },
      },
    })
      .blur(2)
      .linear([0.9, 0.95, 1.0], [-2, 0, 8])
      .png()
      .toBuffer();
    const left = Math.round((width - face.info.width) / 2);
    const top = Math.round((height - face.info.height) / 2);
    const png = await sharp(wall)
      .composite([{ input: face.data, left, top }])
      .png()
      .toBuffer();
    const raw = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const stage: RawFrame = { data: raw.data, width: raw.info.width, height: raw.info.height };

    const { faces } = await getFaceEngine().detect(await loadImage(png), {
      maxFaces: 1,
      withMesh: true,
      withDescriptor: true,
    });
    const found = faces[0];
    if (!found?.mesh) throw new Error('FacePuppet: no face found in the photo');
    const away = Math.sign(
      (found.mesh[CHEEK_IMAGE_LEFT]![2] + found.mesh[CHEEK_IMAGE_RIGHT]![2]) / 2 - found.mesh[NOSE_TIP]![2],
    );
    const mesh = found.mesh.map(([x, y, z]): P3 => [x, y, z * (away || 1)]);

    // Soft rings around the oval (hair, ears, neck follow the head partly), dropped near the frame edge.
    const centre = FacePuppet.centreOf(mesh);
    const margin = 12;
    const ringSources = RINGS.flatMap(([scale, share]) =>
      FACE_OVAL.map((oval) => {
        const [x, y] = mesh[oval]!;
        const point: P2 = [centre[0] + (x - centre[0]) * scale, centre[1] + (y - centre[1]) * scale];
        return { point, oval, share };
      }),
    ).filter(({ point: [x, y] }) => x > margin && y > margin && x < width - margin && y < height - margin);
    // The fixed frame edge, nudged off exact co-circularity for the triangulation.
    const border: P2[] = [];
    const step = 64;
    for (let x = 0; x <= width; x += step) border.push([x, 0], [x, height]);
    for (let y = step; y < height; y += step) border.push([0, y], [width, y]);
    border.forEach((p, i) => {
      p[0] += ((i * 37) % 7) * 1e-3;
      p[1] += ((i * 53) % 5) * 1e-3;
    });

    // Triangulate with the mouth open, so its opening is made of inner-lip triangles in every frame.
    const open = FacePuppet.deform(mesh, { mouthOpen: 1 });
    const canonical: P2[] = [
      ...open.map(([x, y]): P2 => [x, y]),
      ...ringSources.map((r) => r.point),
      ...border,
    ];
    const triangles = delaunay(canonical);
    return new FacePuppet(stage, mesh, found, ringSources, border, triangles);
  }

  private static centreOf(mesh: P3[]): P2 {
    const xs = FACE_OVAL.map((i) => mesh[i]![0]);
    const ys = FACE_OVAL.map((i) => mesh[i]![1]);
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  }

  /** Eyes and mouth, in the photo's plane (the face is near frontal there). */
  private static deform(mesh: P3[], { eyesClosed = 0, mouthOpen = 0 }: Expression): P3[] {
    const out = mesh.map((p): P3 => [...p]);
    const at = (i: number) => mesh[i]!;
    if (eyesClosed > 0) {
      for (const eye of EYES) {
        eye.upper.forEach((u, k) => {
          const l = eye.lower[k]!;
          const f = eye.fold[k]!;
          const meet = [0, 1, 2].map((c) => at(l)[c]! + LID_MEET * (at(u)[c]! - at(l)[c]!));
          for (let c = 0; c < 3; c++) {
            const drop = meet[c]! - at(u)[c]!;
            out[u]![c] = at(u)[c]! + eyesClosed * drop;
            out[l]![c] = at(l)[c]! + eyesClosed * (meet[c]! - at(l)[c]!);
            out[f]![c] = at(f)[c]! + eyesClosed * FOLD_FOLLOWS * drop;
            // A firm blink squeezes: the brow comes down a little, the cheek under the eye comes up.
            for (const [ring, share] of [
              [eye.brow, SQUEEZE],
              [eye.under, SQUEEZE],
              [eye.cheek, SQUEEZE / 2],
            ] as const) {
              const r = ring[k]!;
              out[r]![c] = at(r)[c]! + eyesClosed * share * (meet[c]! - at(r)[c]!);
            }
          }
        });
      }
    }
    if (mouthOpen > 0) {
      // Face frame: `down` from the brows to the chin, `across` perpendicular to it.
      const down = [at(CHIN)[0] - at(GLABELLA)[0], at(CHIN)[1] - at(GLABELLA)[1]];
      const len = Math.hypot(down[0]!, down[1]!);
      const [ux, uy] = [down[0]! / len, down[1]! / len];
      const centre = [(at(13)[0] + at(14)[0]) / 2, (at(13)[1] + at(14)[1]) / 2];
      const mouthWidth = Math.hypot(at(78)[0] - at(308)[0], at(78)[1] - at(308)[1]);
      const halfFace = Math.hypot(
        at(CHEEK_IMAGE_RIGHT)[0] - at(CHEEK_IMAGE_LEFT)[0],
        at(CHEEK_IMAGE_RIGHT)[1] - at(CHEEK_IMAGE_LEFT)[1],
      );
      const drop = mouthOpen * JAW_DROP * mouthWidth;
      const half = mouthWidth / 2;
      mesh.forEach((p, i) => {
        const vx = p[0] - centre[0]!;
        const vy = p[1] - centre[1]!;
        const along = vx * ux + vy * uy;
        const across = -vx * uy + vy * ux;
        const side = Math.abs(across);
        if (UPPER_LIP.has(i) || LOWER_LIP.has(i)) {
          // An open mouth is rounder: the lips draw in towards the middle, the upper one lifts a little.
          const inwards = 0.12 * mouthOpen * across;
          out[i]![0] -= inwards * -uy;
          out[i]![1] -= inwards * ux;
        }
        if (UPPER_LIP.has(i)) {
          const lift = 0.08 * drop * Math.max(0, 1 - (side / half) ** 2);
          out[i]![0] -= lift * ux;
          out[i]![1] -= lift * uy;
          return;
        }
        // The lower lip drops most in the middle (the opening is a lens); what lies below it drops at
        // least as much as the lip above it, the jaw less towards the ears.
        const lip = side < half ? 1 - 0.7 * (side / half) ** 2 : 0.3 * clamp(2 - side / half, 0, 1);
        const jaw = smoothstep(0, 0.35 * mouthWidth, along) * clamp(1.25 - side / halfFace, 0.1, 1);
        const w = LOWER_LIP.has(i) ? lip : Math.max(lip * smoothstep(0, 0.1 * mouthWidth, along), jaw);
        out[i]![0] += w * drop * ux;
        out[i]![1] += w * drop * uy;
      });
    }
    return out;
  }

  /** The frame for `expression`, as packed RGB. */
  render(expression: Expression = {}, jitter: Jitter = {}): RawFrame {
    const { mesh, stage } = this;
    const { width, height } = stage;
    const deformed = FacePuppet.deform(mesh, expression);
    // Rotate about a point just behind the face (the cheeks' depth): the oval stays nearly in place, so
    // hair and backdrop need not move much, while the nose swings and the near cheek widens.
    const cl = mesh[CHEEK_IMAGE_LEFT]!;
    const cr = mesh[CHEEK_IMAGE_RIGHT]!;
    const faceWidth = Math.hypot(cr[0] - cl[0], cr[1] - cl[1]);
    const [cx, cy] = FacePuppet.centreOf(mesh);
    const cz = (cl[2] + cr[2]) / 2 + faceWidth / 10;
    const yaw = ((expression.yaw ?? 0) * Math.PI) / 180;
    const pitch = ((expression.pitch ?? 0) * Math.PI) / 180;
    const rotated = deformed.map(([x, y, z]): P3 => {
      // Yaw about the vertical axis, then pitch about the horizontal one (z grows away from the camera).
      // Points behind the centre (the oval near the ears, noisy in depth) turn as if at its depth: else
      // the oval zig-zags outwards over the hair.
      let dx = x - cx;
      let dz = (Math.min(z, cz) - cz) * DEPTH_GAIN;
      [dx, dz] = [dx * Math.cos(yaw) - dz * Math.sin(yaw), dx * Math.sin(yaw) + dz * Math.cos(yaw)];
      let dy = y - cy;
      [dy, dz] = [dy * Math.cos(pitch) - dz * Math.sin(pitch), dy * Math.sin(pitch) + dz * Math.cos(pitch)];
      return [cx + dx, cy + dy, cz + dz];
    });
    const far = Math.max(...rotated.map((p) => p[2])) + 1e6;
    const dest: P3[] = [
      ...rotated,
      ...this.ringSources.map(({ point, oval, share }): P3 => [
        point[0] + share * (rotated[oval]![0] - mesh[oval]![0]),
        point[1] + share * (rotated[oval]![1] - mesh[oval]![1]),
        far,
      ]),
      ...this.border.map(([x, y]): P3 => [x, y, far]),
    ];
    const source: P2[] = [
      ...mesh.map(([x, y]): P2 => [x, y]),
      ...this.ringSources.map((r) => r.point),
      ...this.border,
    ];
    // A closing lid is skin: it takes its texture from above the fold, not from the lashes and the eye.
    const closed = clamp(expression.eyesClosed ?? 0, 0, 1);
    if (closed > 0) {
      const lerp = (a: P3, b: P3, t: number): P2 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
      for (const eye of EYES) {
        eye.upper.forEach((u, k) => {
          const fold = mesh[eye.fold[k]!]!;
          source[u] = lerp(mesh[u]!, fold, closed);
          source[eye.fold[k]!] = lerp(fold, mesh[eye.brow[k]!]!, closed * 0.5);
          // Likewise below: what the lower lid uncovers is skin from under the eye.
          const l = eye.lower[k]!;
          const under = mesh[eye.under[k]!]!;
          source[l] = lerp(mesh[l]!, under, closed);
          source[eye.under[k]!] = lerp(under, mesh[eye.cheek[k]!]!, closed * 0.5);
        });
      }
    }
    // Camera shake: the whole frame shifts and scales a little.
    const scale = jitter.scale ?? 1;
    const [sx, sy] = [width / 2, height / 2];
    for (const p of dest) {
      p[0] = sx + (p[0] - sx) * scale + (jitter.dx ?? 0);
      p[1] = sy + (p[1] - sy) * scale + (jitter.dy ?? 0);
    }

    const out = Buffer.from(stage.data);
    const order = this.triangles
      .map((t) => ({ t, depth: (dest[t[0]]![2] + dest[t[1]]![2] + dest[t[2]]![2]) / 3 }))
      .sort((a, b) => b.depth - a.depth);
    const mouthOpen = (expression.mouthOpen ?? 0) > 0;
    for (const { t } of order) {
      warpTriangle(stage, out, t.map((v) => source[v]!) as P2[], t.map((v) => dest[v]!) as P3[]);
    }
    if (mouthOpen) {
      const lip = (ids: number[]) => ids.map((i): P2 => [dest[i]![0], dest[i]![1]]);
      paintMouth(out, width, height, lip(LIPS_UPPER_INNER), lip([78, ...LIPS_LOWER_INNER, 308]));
    }
    if (closed > 0) {
      // The lids: smooth skin (the colour under the eye), a little lighter where the lid bulges, then the
      // lashes, a dark line from corner to corner where the lids meet.
      for (const eye of EYES) {
        const line = [eye.corners[0]!, ...eye.upper, eye.corners[1]!].map((i): P2 => [
          dest[i]![0],
          dest[i]![1],
        ]);
        const fold = [eye.corners[0]!, ...eye.fold, eye.corners[1]!].map((i): P2 => [
          dest[i]![0],
          dest[i]![1],
        ]);
        const skin = meanColour(
          stage,
          [...eye.under, ...eye.cheek].map((i): P2 => [mesh[i]![0], mesh[i]![1]]),
        );
        paintLid(out, width, height, fold, line, skin, LID_SKIN * closed);
        const eyeWidth = Math.hypot(line[0]![0] - line.at(-1)![0], line[0]![1] - line.at(-1)![1]);
        drawLine(out, width, height, line, Math.max(1.2, eyeWidth * LASH_WIDTH), LASH_COLOUR, 0.85 * closed);
      }
    }
    if (jitter.noise) {
      const next = random(jitter.seed ?? 1);
      const amp = jitter.noise;
      for (let i = 0; i < out.length; i++)
        out[i] = clamp(out[i]! + Math.round((next() * 2 - 1) * amp), 0, 255);
    }
    return { data: out, width, height };
  }

  async jpeg(expression: Expression = {}, jitter: Jitter = {}, quality = 85): Promise<Buffer> {
    return encode(this.render(expression, jitter)).jpeg({ quality }).toBuffer();
  }

  async png(expression: Expression = {}, jitter: Jitter = {}): Promise<Buffer> {
    return encode(this.render(expression, jitter)).png().toBuffer();
  }
}

const encode = ({ data, width, height }: RawFrame) => sharp(data, { raw: { width, height, channels: 3 } });

/** Inside an open mouth at `v` (0 = under the upper lip, 1 = on the lower): teeth, dark, a hint of tongue. */
function mouthColour(v: number): P3 {
  const teeth = 1 - smoothstep(0.1, 0.18, v);
  const tongue = smoothstep(0.75, 1, v) * 0.35;
  return [0, 1, 2].map((c) => {
    const dark = MOUTH_COLOUR[c]! + (TONGUE_COLOUR[c]! - MOUTH_COLOUR[c]!) * tongue;
    return dark + (TEETH_COLOUR[c]! * (0.8 + v) - dark) * teeth;
  }) as P3;
}

/** Paints the opening between the upper and lower inner lip polylines (both corner to corner). */
function paintMouth(out: Buffer, width: number, height: number, upper: P2[], lower: P2[]): void {
  const xs = [...upper, ...lower].map((p) => p[0]);
  for (
    let x = Math.max(0, Math.floor(Math.min(...xs)));
    x <= Math.min(width - 1, Math.ceil(Math.max(...xs)));
    x++
  ) {
    const top = yAt(upper, x + 0.5);
    const bottom = yAt(lower, x + 0.5);
    if (!(bottom - top > 1)) continue;
    for (let y = Math.max(0, Math.floor(top)); y <= Math.min(height - 1, Math.ceil(bottom)); y++) {
      const alpha = clamp(y + 1 - top, 0, 1) * clamp(bottom - y, 0, 1);
      const colour = mouthColour(clamp((y + 0.5 - top) / (bottom - top), 0, 1));
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = out[o + c]! + (colour[c]! - out[o + c]!) * alpha;
    }
  }
}

/** The y of a polyline at `x` (NaN outside it). */
function yAt(curve: P2[], x: number): number {
  for (let k = 1; k < curve.length; k++) {
    const [ax, ay] = curve[k - 1]!;
    const [bx, by] = curve[k]!;
    if ((x >= ax && x <= bx) || (x >= bx && x <= ax)) return ay + ((by - ay) * (x - ax)) / (bx - ax || 1);
  }
  return NaN;
}

/** Paints destination triangle `d` with the source triangle `s` (bilinear). */
function warpTriangle(src: RawFrame, out: Buffer, s: P2[], d: P3[]): void {
  const [[x0, y0], [x1, y1], [x2, y2]] = d as [P3, P3, P3];
  const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (Math.abs(det) < 1e-9) return;
  const { width, height, data } = src;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1, x2)));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1, y2)));
  const [[u0, v0], [u1, v1], [u2, v2]] = s as [P2, P2, P2];
  const eps = -1e-6;
  for (let y = minY; y <= maxY; y++) {
    const py = y + 0.5;
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      // Barycentric coordinates of the pixel centre in the destination triangle.
      const b1 = ((px - x0) * (y2 - y0) - (x2 - x0) * (py - y0)) / det;
      const b2 = ((x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)) / det;
      const b0 = 1 - b1 - b2;
      if (b0 < eps || b1 < eps || b2 < eps) continue;
      const o = (y * width + x) * 3;
      const u = b0 * u0 + b1 * u1 + b2 * u2 - 0.5;
      const v = b0 * v0 + b1 * v1 + b2 * v2 - 0.5;
      const ix = clamp(Math.floor(u), 0, width - 2);
      const iy = clamp(Math.floor(v), 0, height - 2);
      const fx = clamp(u - ix, 0, 1);
      const fy = clamp(v - iy, 0, 1);
      const i00 = (iy * width + ix) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + width * 3;
      const i11 = i01 + 3;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! + (data[i10 + c]! - data[i00 + c]!) * fx;
        const bottom = data[i01 + c]! + (data[i11 + c]! - data[i01 + c]!) * fx;
        out[o + c] = top + (bottom - top) * fy;
      }
    }
  }
}

/** Blends a polyline `thickness` px wide into packed RGB `out`. */
function drawLine(
  out: Buffer,
  width: number,
  height: number,
  line: P2[],
  thickness: number,
  colour: P3,
  opacity: number,
): void {
  const half = thickness / 2;
  const xs = line.map((p) => p[0]);
  const ys = line.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - half - 1));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs) + half + 1));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - half - 1));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) + half + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const [px, py] = [x + 0.5, y + 0.5];
      let d = Infinity;
      for (let k = 1; k < line.length; k++) {
        const [ax, ay] = line[k - 1]!;
        const [bx, by] = line[k]!;
        const len2 = (bx - ax) ** 2 + (by - ay) ** 2 || 1;
        const t = clamp(((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2, 0, 1);
        d = Math.min(d, Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay)));
      }
      const alpha = opacity * clamp(half - d + 0.5, 0, 1);
      if (alpha <= 0) continue;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = out[o + c]! + (colour[c]! - out[o + c]!) * alpha;
    }
  }
}

/** Mean colour of the pixels in the polygon through `points` (their convex order is not needed: bbox of points, 3x3 around each). */
function meanColour(src: RawFrame, points: P2[]): P3 {
  const sum: P3 = [0, 0, 0];
  let n = 0;
  for (const [x, y] of points) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const px = clamp(Math.round(x) + dx, 0, src.width - 1);
        const py = clamp(Math.round(y) + dy, 0, src.height - 1);
        const o = (py * src.width + px) * 3;
        for (let c = 0; c < 3; c++) sum[c] = sum[c]! + src.data[o + c]!;
        n++;
      }
    }
  }
  return sum.map((v) => v / n) as P3;
}

/** Blends skin over the band between the `fold` and `line` polylines (both corner to corner). */
function paintLid(
  out: Buffer,
  width: number,
  height: number,
  fold: P2[],
  line: P2[],
  skin: P3,
  opacity: number,
) {
  const polygon = [...fold, ...[...line].reverse()];
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  for (let x = x0; x <= x1; x++) {
    const top = yAt(fold, x + 0.5);
    const bottom = yAt(line, x + 0.5);
    if (!(bottom > top)) continue;
    for (let y = Math.max(y0, Math.floor(top)); y <= Math.min(y1, Math.ceil(bottom)); y++) {
      const t = clamp((y + 0.5 - top) / (bottom - top), 0, 1);
      // Fade in from the fold, a highlight where the lid bulges over the eyeball.
      const alpha = opacity * smoothstep(0, 0.35, t);
      const shade = 0.95 + 0.1 * Math.sin(Math.PI * t);
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++)
        out[o + c] = out[o + c]! + (clamp(skin[c]! * shade, 0, 255) - out[o + c]!) * alpha;
    }
  }
}

export const CHALLENGE_ACTIONS = ['TURN_LEFT', 'TURN_RIGHT', 'BLINK', 'OPEN_MOUTH', 'NOD'] as const;
export type ChallengeAction = (typeof CHALLENGE_ACTIONS)[number];

/** What each action looks like at full strength (TURN_LEFT: the subject's left = the image's right). */
export const ACTION_POSES: Record<ChallengeAction, Expression> = {
  TURN_LEFT: { yaw: 22 },
  TURN_RIGHT: { yaw: -22 },
  BLINK: { eyesClosed: 1 },
  OPEN_MOUTH: { mouthOpen: 1 },
  NOD: { pitch: 20 },
};

const scaled = (e: Expression, k: number): Expression =>
  Object.fromEntries(Object.entries(e).map(([key, v]) => [key, (v as number) * k]));

export interface FootageOptions extends StageOptions {
  /** JPEG quality of each frame, default 85. */
  quality?: number;
}

/** A little camera shake per frame: never two identical frames. */
function shake(next: () => number, seed: number): Jitter {
  return {
    dx: (next() * 2 - 1) * 2,
    dy: (next() * 2 - 1) * 2,
    scale: 1 + (next() * 2 - 1) * 0.01,
    noise: 2,
    seed,
  };
}

/**
 * A verify burst performing `actions` in order: 2 neutral frames, then per action 3 frames doing it
 * (building up) and 1 coming back, 150-250 ms apart, with camera shake. `{ image: JPEG, t: ms }`.
 */
export async function challengeFrames(
  face: Buffer | FacePuppet,
  actions: readonly string[],
  options: FootageOptions = {},
): Promise<{ image: Buffer; t: number }[]> {
  const puppet = face instanceof FacePuppet ? face : await FacePuppet.create(face, options);
  const next = random(options.seed ?? 7);
  const script: Expression[] = [{}, {}];
  for (const action of actions) {
    const pose = ACTION_POSES[action as ChallengeAction];
    if (!pose) throw new Error(`Unknown action ${action}`);
    script.push(scaled(pose, 0.6), pose, pose, scaled(pose, 0.2));
  }
  let t = 0;
  const frames: { image: Buffer; t: number }[] = [];
  for (const [i, expression] of script.entries()) {
    if (i > 0) t += Math.round(150 + next() * 100);
    frames.push({ image: await puppet.jpeg(expression, shake(next, i + 1), options.quality ?? 85), t });
  }
  return frames;
}

/**
 * Fake-camera footage for a browser whose client samples a few frames per prompt while the server
 * picks the actions at random: a neutral lead-in (the client's "look straight" frames), then a fast
 * loop through every action, one 100 ms frame each at 10 fps: `TURN_LEFT BLINK TURN_RIGHT OPEN_MOUTH
 * NOD` (500 ms). A client sampling every ~260-300 ms steps about 3 frames, which is prime to the loop's
 * 5, so any 5 samples in a row show every action, and the 10 or more samples after the lead-in show any
 * two asked actions in order. (A longer loop aliases: with 7 frames, an action came round only every
 * 7th sample, and a burst often missed the second action after the first.) Every frame is unique (camera
 * shake), and the footage (`seconds`, default 16) outlasts a capture, so a client never gets the same
 * footage frame twice before the loop wraps.
 */
export function cyclingFootage(
  puppet: FacePuppet,
  options: { fps?: number; leadIn?: number; seconds?: number; seed?: number } = {},
): RawFrame[] {
  const fps = options.fps ?? 10;
  const next = random(options.seed ?? 11);
  const { TURN_LEFT, TURN_RIGHT, BLINK, OPEN_MOUTH, NOD } = ACTION_POSES;
  const cycle: Expression[] = [TURN_LEFT, BLINK, TURN_RIGHT, OPEN_MOUTH, NOD];
  const lead = Math.round((options.leadIn ?? 1.2) * fps);
  const total = Math.round((options.seconds ?? 16) * fps);
  return Array.from({ length: total }, (_, i) =>
    puppet.render(i < lead ? {} : cycle[(i - lead) % cycle.length]!, shake(next, i + 1)),
  );
}

/** A still photo held up to the camera: the same neutral face, only shifted and scaled a little. */
export function stillFootage(
  puppet: FacePuppet,
  options: { fps?: number; seconds?: number; seed?: number } = {},
) {
  const next = random(options.seed ?? 13);
  const total = Math.round((options.seconds ?? 16) * (options.fps ?? 10));
  return Array.from({ length: total }, (_, i) => puppet.render({}, shake(next, i + 1)));
}

/**
 * Writes `frames` as a YUV4MPEG2 (.y4m, 4:2:0) file at `fps`, which Chromium plays (and loops) as the
 * webcam with `--use-file-for-fake-video-capture=<file>`. Pure JS: BT.601 full-range conversion.
 */
export async function writeFakeCamera(frames: RawFrame[], file: string, fps = 10): Promise<void> {
  const { width, height } = frames[0]!;
  if (width % 2 || height % 2) throw new Error('y4m 4:2:0 needs even dimensions');
  const chunks: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const { data } of frames) {
    const y = Buffer.alloc(width * height);
    const u = Buffer.alloc((width / 2) * (height / 2));
    const v = Buffer.alloc((width / 2) * (height / 2));
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] = [data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!];
      y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
    for (let cy = 0; cy < height / 2; cy++) {
      for (let cx = 0; cx < width / 2; cx++) {
        let [r, g, b] = [0, 0, 0];
        for (const [dx, dy] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ] as const) {
          const o = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
          r += data[o]! / 4;
          g += data[o + 1]! / 4;
          b += data[o + 2]! / 4;
        }
        const k = cy * (width / 2) + cx;
        u[k] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b, 0, 255);
        v[k] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b, 0, 255);
      }
    }
    chunks.push(Buffer.from('FRAME\n'), y, u, v);
  }
  await writeFile(file, Buffer.concat(chunks));
}
