import { randomBytes, randomInt } from 'node:crypto';
import opentype from 'opentype.js';
import chToPath from 'svg-captcha/lib/ch-to-path.js';
import { rgbToPng, svgToRgb } from '../image/raster.ts';
import { EMBEDDED_FONTS } from './glyph-fonts.ts';

/**
 * Captcha images. svg-captcha draws the glyph outlines; what makes them hard for a solver is layered on
 * top, per captcha and per glyph: random length, font, case (some letters in lower case), size, stretch,
 * rotation and shear, glyphs kerned by shape to overlap a little, each with a rim in the ground's colour
 * that cuts into its neighbour, wavy noise strokes in the text's own ink crossing every glyph, decoy
 * glyphs and blotches, dark-on-light or light-on-dark per captcha, then a non-linear warp (sine waves plus
 * an elastic field) and speckle on the rasterised pixels. `npm run bench:captcha` measures the result
 * against OCR, a template matcher and a learned CNN + CTC solver; docs/captcha-examples/ shows what people
 * see. No image stops a network trained on this generator's own output for long (see the README).
 *
 * Both formats carry the same raster. A vector SVG would hand a solver every glyph as its own path,
 * which no distortion survives (matching svg-captcha's fixed glyph paths is how its output is broken),
 * so `svg` wraps the PNG in an SVG document for clients that want that type.
 */

/**
 * Upper-case letters and digits without look-alikes, also once rotated and crossed by strokes: no
 * 0/O/Q/D, 1/I/J/L, 2/Z/7, 5/S, 8/B, 6/G, U/V, 4/A, K/X/Y. Answers are compared upper-cased, so
 * either case may be typed.
 */
export const CAPTCHA_ALPHABET = 'ACEFHMNPRTWX39';
/** The length varies too, so that a solver cannot split the image into a known number of glyphs. */
export const CAPTCHA_LENGTH = { min: 6, max: 7 } as const;
export const CAPTCHA_WIDTH = 320;
export const CAPTCHA_HEIGHT = 90;

export type CaptchaFormat = 'png' | 'svg';

/**
 * Letters that are drawn in lower case half of the time: each becomes two unrelated shapes a solver must
 * learn (per font), while a person reads either as the letter. Only forms that nothing else in the
 * alphabet resembles once crossed by a stroke: no n/h (read as each other), no e (a crossed C), no f/t,
 * no p (a 9), no c/w/x (just smaller capitals). A reading check with more forms: docs/captcha-examples/.
 */
const LOWER_CASE_FORMS = 'amr';

const DECOY_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabdeksuy0123456789';

export function randomCaptchaText(): string {
  const length = randomInt(CAPTCHA_LENGTH.min, CAPTCHA_LENGTH.max + 1);
  return Array.from({ length }, () => CAPTCHA_ALPHABET[randomInt(CAPTCHA_ALPHABET.length)]).join('');
}

interface GlyphFont {
  font: opentype.Font;
  ascender: number;
  descender: number;
}

const FONTS: GlyphFont[] = Object.values(EMBEDDED_FONTS).map((base64) => {
  const bytes = Buffer.from(base64, 'base64');
  const font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return { font, ascender: font.ascender, descender: font.descender };
});

/**
 * A small fast PRNG (sfc32) seeded from the CSPRNG: a captcha draws thousands of numbers, and
 * Math.random's state can be recovered from its outputs.
 */
type Random = () => number;

function seededRandom(seed: Buffer = randomBytes(16)): Random {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const between = (rnd: Random, [min, max]: readonly [number, number]) => min + rnd() * (max - min);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const hsl = (h: number, s: number, l: number) => `hsl(${h.toFixed(0)},${s.toFixed(0)}%,${l.toFixed(0)}%)`;
const f1 = (n: number) => n.toFixed(1);

/**
 * Distortion ranges, tuned with `npm run bench:captcha` (solvers) against the examples in
 * docs/captcha-examples/ (people). Text has the strongest contrast to the ground (dark on light, or
 * mirrored): that is what a person reads by, so it stays; the rest is varied per glyph and per captcha.
 */
const TUNING = {
  fontSize: [42, 56],
  stretchX: [0.75, 1.15],
  stretchY: [0.9, 1.15],
  rotate: [-15, 15],
  skew: [-8, 8],
  /** Distance between neighbouring glyphs' ink (pixels; negative: they overlap). */
  gap: [-2, 1],
  /** Share of the width the text spans. */
  span: [0.78, 0.9],
  baselineJitter: [-4, 4],
  /** Neighbours sit alternately this much above and below the line: no clean column between them. */
  stagger: [3, 6],
  inkLightness: [12, 28],
  /** Share of captchas drawn light on dark: the text is then the brightest thing, not the darkest. */
  inverted: 0.4,
  /** Lower-case glyphs are drawn this much larger, so that their x-height is close to a capital's. */
  lowerCaseScale: 1.15,
  /** A rim in the ground's colour around each glyph, so that where glyphs overlap the later one cuts
   * into the earlier: occlusion a person completes. */
  rim: [1.5, 2.5],
  noiseStrokes: 2,
  noiseStrokeWidth: [2, 3],
  /** Noise strokes are waves of this amplitude and wavelength (pixels). */
  waveAmplitude: [10, 18],
  waveLength: [60, 120],
  decoys: 6,
  decoySize: [18, 34],
  /** Row shift amplitude and wavelength, column shift amplitude and wavelength (pixels). */
  warpX: [2, 3.5],
  warpXWave: [35, 60],
  warpY: [2.5, 4.5],
  warpYWave: [60, 110],
  /** Elastic displacement: amplitude (pixels) and grid cells across and down. */
  elastic: 2.5,
  elasticCells: [10, 3],
  /** Share of pixels replaced by dark or light dots. */
  speckle: 0.01,
} as const;

interface Glyph {
  d: string;
  /** The outline as densified polylines (control points included): enough to find where its ink is. */
  points: [number, number][];
}

/** The outline of one character, centred on the origin, by svg-captcha's glyph renderer. */
function glyphOutline(ch: string, font: GlyphFont, fontSize: number): Glyph {
  const d = chToPath(ch, { x: 0, y: 0, fontSize, ...font });
  const points: [number, number][] = [];
  let start: [number, number] | undefined;
  const lineTo = (to: [number, number]) => {
    const from = points.at(-1) ?? to;
    const steps = Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) / 1.5);
    for (let i = 1; i <= steps; i++)
      points.push([from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps]);
    points.push(to);
  };
  for (const [, command, args] of d.matchAll(/([MLQCZ])([^MLQCZ]*)/g)) {
    const numbers = (args!.match(/-?\d*\.?\d+/g) ?? []).map(Number);
    const pairs = Array.from({ length: numbers.length / 2 }, (_, i): [number, number] => [
      numbers[2 * i]!,
      numbers[2 * i + 1]!,
    ]);
    if (command === 'M') {
      start = pairs[0];
      points.push(...pairs);
    } else if (command === 'Z') {
      if (start) lineTo(start);
    } else {
      pairs.forEach(lineTo);
    }
  }
  return { d, points };
}

/** Where a placed glyph's ink is, per band of BAND rows: leftmost and rightmost x. */
const BAND = 2;
type Profile = Map<number, [number, number]>;

function inkProfile(points: [number, number][]): Profile {
  const profile: Profile = new Map();
  for (const [x, y] of points) {
    const band = Math.floor(y / BAND);
    const [left, right] = profile.get(band) ?? [x, x];
    profile.set(band, [Math.min(left, x), Math.max(right, x)]);
  }
  return profile;
}

/**
 * How far right of `previous` (placed at x = 0) a glyph must sit for its ink to be `gap` pixels from
 * it in the rows they share: shape-aware kerning, so glyphs touch along their contours (A nests into
 * V) and no column separates them, yet neither hides the other.
 */
function kern(previous: Profile, next: Profile, gap: number): number {
  let offset = -Infinity;
  for (const [band, [left]] of next) {
    const other = previous.get(band);
    if (other) offset = Math.max(offset, other[1] - left + gap);
  }
  if (offset > -Infinity) return offset;
  const right = Math.max(...[...previous.values()].map(([, r]) => r));
  const left = Math.min(...[...next.values()].map(([l]) => l));
  return right - left + gap;
}

/**
 * A wave from the left edge to the right edge around row `centre`: it crosses the glyphs at changing
 * angles, so that a person does not take it for a glyph's bar, while a solver still finds it in every
 * glyph it crosses.
 */
function waveAcross(rnd: Random, centre: number): string {
  const amplitude = between(rnd, TUNING.waveAmplitude);
  const wavelength = between(rnd, TUNING.waveLength);
  const phase = between(rnd, [0, 2 * Math.PI]);
  const points: string[] = [];
  for (let x = -4; x <= CAPTCHA_WIDTH + 4; x += 4) {
    points.push(`${x} ${f1(centre + amplitude * Math.sin((2 * Math.PI * x) / wavelength + phase))}`);
  }
  return `M${points.join(' L')}`;
}

/** The captcha as an SVG scene, before the pixel-level warp. */
function scene(text: string, rnd: Random): string {
  const W = CAPTCHA_WIDTH;
  const H = CAPTCHA_HEIGHT;
  const T = TUNING;
  // Lightness as drawn: the scene is designed dark on light and mirrored for inverted captchas.
  const inverted = rnd() < T.inverted;
  const colour = (h: number, s: number, l: number) => hsl(h, s, inverted ? 100 - l : l);
  const background = colour(between(rnd, [0, 360]), between(rnd, [20, 50]), between(rnd, [88, 95]));
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="${background}"/>`];

  // Light blotches and decoy glyphs: clutter that must be told apart from the text by its tone alone.
  for (let i = 0; i < 5; i++) {
    const fill = colour(between(rnd, [0, 360]), between(rnd, [30, 60]), between(rnd, [78, 90]));
    const [cx, cy, rx, ry] = [
      [0, W],
      [0, H],
      [20, 70],
      [10, 40],
    ].map((r) => f1(between(rnd, r as [number, number])));
    parts.push(`<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="${fill}"/>`);
  }
  for (let i = 0; i < T.decoys; i++) {
    const g = glyphOutline(pick(rnd, [...DECOY_CHARACTERS]), pick(rnd, FONTS), between(rnd, T.decoySize));
    const fill = colour(between(rnd, [0, 360]), between(rnd, [20, 50]), between(rnd, [68, 80]));
    const at = `translate(${f1(between(rnd, [0, W]))} ${f1(between(rnd, [10, H - 10]))}) rotate(${f1(between(rnd, [-60, 60]))})`;
    parts.push(`<path fill="${fill}" transform="${at}" d="${g.d}"/>`);
  }

  // The text: every glyph with its own font, size, stretch, rotation and shear, kerned to touch its
  // neighbours (no gap to segment at), alternately a little above and below the line.
  const inkHue = between(rnd, [0, 360]);
  const ink = () =>
    colour(inkHue + between(rnd, [-40, 40]), between(rnd, [30, 70]), between(rnd, T.inkLightness));
  const stagger = between(rnd, T.stagger) * (rnd() < 0.5 ? 1 : -1);
  const glyphs = [...text].map((ch, i) => {
    const lower = LOWER_CASE_FORMS.includes(ch.toLowerCase()) && rnd() < 0.5;
    const size = between(rnd, T.fontSize) * (lower ? T.lowerCaseScale : 1);
    const g = glyphOutline(lower ? ch.toLowerCase() : ch, pick(rnd, FONTS), size);
    const [rotate, skew] = [between(rnd, T.rotate), between(rnd, T.skew)];
    const [sx, sy] = [between(rnd, T.stretchX), between(rnd, T.stretchY)];
    const dy = (i % 2 ? stagger : -stagger) + between(rnd, T.baselineJitter);
    // The SVG transform below, applied to the outline: scale, then shear, then rotate.
    const [cos, sin, tan] = [
      Math.cos((rotate * Math.PI) / 180),
      Math.sin((rotate * Math.PI) / 180),
      Math.tan((skew * Math.PI) / 180),
    ];
    const placed = g.points.map(([x, y]): [number, number] => {
      const [u, v] = [x * sx + tan * y * sy, y * sy];
      return [u * cos - v * sin, u * sin + v * cos + dy];
    });
    const transform = `rotate(${f1(rotate)}) skewX(${f1(skew)}) scale(${sx.toFixed(3)} ${sy.toFixed(3)})`;
    return { d: g.d, transform, dy, profile: inkProfile(placed), xs: placed.map(([x]) => x) };
  });
  const xs = [0];
  for (let i = 1; i < glyphs.length; i++) {
    xs.push(xs[i - 1]! + kern(glyphs[i - 1]!.profile, glyphs[i]!.profile, between(rnd, T.gap)));
  }
  const left = Math.min(...glyphs.map((gl, i) => xs[i]! + Math.min(...gl.xs)));
  const right = Math.max(...glyphs.map((gl, i) => xs[i]! + Math.max(...gl.xs)));
  // Scaled to span most of the width, whatever the number and width of the glyphs.
  const fit = Math.min(1.25, (W * between(rnd, T.span)) / (right - left));
  const rim = `stroke="${background}" stroke-width="${f1(between(rnd, T.rim))}" paint-order="stroke"`;
  const textGroup = glyphs.map(
    (gl, i) =>
      `<path fill="${ink()}" ${rim} transform="translate(${f1(xs[i]!)} ${f1(gl.dy)}) ${gl.transform}" d="${gl.d}"/>`,
  );
  const at = `translate(${f1(W / 2)} ${f1(H / 2 + between(rnd, [-4, 4]))}) scale(${fit.toFixed(3)}) translate(${f1(-(left + right) / 2)} 0)`;
  parts.push(`<g transform="${at}">${textGroup.join('')}</g>`);

  // Strokes in the text's own ink crossing every glyph, thinner than a glyph's.
  for (let i = 0; i < T.noiseStrokes; i++) {
    const width = f1(between(rnd, T.noiseStrokeWidth));
    parts.push(
      `<path d="${waveAcross(rnd, between(rnd, [H * 0.4, H * 0.6]))}" fill="none" stroke="${ink()}" stroke-width="${width}" stroke-linejoin="round"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/**
 * A smooth random displacement field (pixels, per pixel): random offsets on a coarse grid of
 * `cellsX` x `cellsY` cells, eased between grid points. It bends each glyph differently, so that
 * no two instances of a character share a shape.
 */
function elasticField(rnd: Random, amplitude: number, cellsX: number, cellsY: number): Float32Array {
  const W = CAPTCHA_WIDTH;
  const H = CAPTCHA_HEIGHT;
  const grid = Array.from({ length: (cellsX + 1) * (cellsY + 1) }, () =>
    between(rnd, [-amplitude, amplitude]),
  );
  const at = (gx: number, gy: number) => grid[gy * (cellsX + 1) + gx]!;
  const ease = (t: number) => t * t * (3 - 2 * t);
  const field = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const v = (y / H) * cellsY;
    const gy = Math.min(Math.floor(v), cellsY - 1);
    const ty = ease(v - gy);
    for (let x = 0; x < W; x++) {
      const u = (x / W) * cellsX;
      const gx = Math.min(Math.floor(u), cellsX - 1);
      const tx = ease(u - gx);
      const top = at(gx, gy) * (1 - tx) + at(gx + 1, gy) * tx;
      const bottom = at(gx, gy + 1) * (1 - tx) + at(gx + 1, gy + 1) * tx;
      field[y * W + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return field;
}

/** Warps the pixels (sine waves plus an elastic field) with bilinear sampling, then adds speckle. */
function warp(src: Buffer, rnd: Random): Buffer {
  const W = CAPTCHA_WIDTH;
  const H = CAPTCHA_HEIGHT;
  const T = TUNING;
  const out = Buffer.alloc(src.length);
  const [ax, lx, px] = [between(rnd, T.warpX), between(rnd, T.warpXWave), between(rnd, [0, 2 * Math.PI])];
  const [ay, ly, py] = [between(rnd, T.warpY), between(rnd, T.warpYWave), between(rnd, [0, 2 * Math.PI])];
  const elasticX = elasticField(rnd, T.elastic, T.elasticCells[0], T.elasticCells[1]);
  const elasticY = elasticField(rnd, T.elastic, T.elasticCells[0], T.elasticCells[1]);
  for (let y = 0; y < H; y++) {
    const waveX = ax * Math.sin((2 * Math.PI * y) / lx + px);
    for (let x = 0; x < W; x++) {
      const waveY = ay * Math.sin((2 * Math.PI * x) / ly + py);
      const sx = Math.min(W - 1.001, Math.max(0, x + waveX + elasticX[y * W + x]!));
      const sy = Math.min(H - 1.001, Math.max(0, y + waveY + elasticY[y * W + x]!));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * W + x0) * 3;
      const i10 = i00 + W * 3;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i00 + c]! * (1 - fx) + src[i00 + 3 + c]! * fx;
        const bottom = src[i10 + c]! * (1 - fx) + src[i10 + 3 + c]! * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  for (let i = 0; i < W * H * T.speckle; i++) {
    const at = (Math.floor(rnd() * H) * W + Math.floor(rnd() * W)) * 3;
    out.fill(between(rnd, rnd() < 0.5 ? [20, 90] : [200, 255]), at, at + 3);
  }
  return out;
}

/** Renders `text` as a captcha image: PNG bytes, or an SVG document wrapping that PNG. */
export async function renderCaptcha(text: string, format: CaptchaFormat = 'png'): Promise<Buffer> {
  const rnd = seededRandom();
  const raw = await svgToRgb(scene(text, rnd));
  const png = await rgbToPng(warp(raw, rnd), CAPTCHA_WIDTH, CAPTCHA_HEIGHT);
  if (format === 'png') return png;
  const [W, H] = [CAPTCHA_WIDTH, CAPTCHA_HEIGHT];
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
      `<image width="${W}" height="${H}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`,
  );
}
