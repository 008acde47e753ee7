import sharp, { type Sharp } from 'sharp';

/**
 * Simulated presentation attacks, for tests and bench/pad.ts: each turns a genuine capture into what a
 * camera would record when pointed at a replayed or printed copy of it. Pixel maths on raw RGB with sharp
 * for resampling and encoding; deterministic (seeded). These are approximations of the physical effects
 * (no real screens or printers were photographed), so the figures they give are indicative only.
 *
 * - `screen`: the picture shown on an RGB-stripe display (pixel grid with dark gaps), re-photographed at a
 *   slight angle and a non-integer scale (the grid aliases into moiré), display gamma and a blue cast, and
 *   a specular glare blob.
 * - `print`: a CMYK halftone print (rotated dot screens per ink), paper texture, reduced gamut (inks do not
 *   reach black, paper is not white), re-photographed (slight blur).
 * - `frame`: the photo held up as a print or phone inside a visible border (white paper margin or black
 *   bezel, and fingers holding it), in front of a different background, so context crops see the frame.
 * - `ldr`: low-dynamic-range recapture: compressed tonal range, blur, noise and heavy JPEG.
 */

export const ATTACK_TYPES = ['screen', 'print', 'frame', 'ldr'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

/** mulberry32: small seeded PRNG, 0..1. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function raw(input: Buffer | Sharp): Promise<Raw> {
  const img = Buffer.isBuffer(input) ? sharp(input) : input;
  const { data, info } = await img
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const fromRaw = (r: Raw) => sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } });
const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
const jpeg = (s: Sharp, quality = 90) => s.jpeg({ quality }).toBuffer();

async function screen(input: Buffer, seed: number): Promise<Buffer> {
  const random = rng(seed);
  const src = await raw(input);
  // Display: each source pixel becomes a 3x3 cell of R, G, B stripes, with a dark row between cells.
  const cell = 3;
  const W = src.width * cell;
  const H = src.height * cell;
  const panel = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / cell);
    const gap = y % cell === cell - 1 ? 0.45 : 1;
    for (let x = 0; x < W; x++) {
      const sx = Math.floor(x / cell);
      const sub = x % cell; // which stripe: 0 = R, 1 = G, 2 = B
      const si = (sy * src.width + sx) * 3;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        // Display gamma ~2.6 against sRGB's 2.2 and a bluish white point.
        const v = 255 * Math.pow(src.data[si + c]! / 255, 1.18) * [0.92, 0.98, 1.08][c]!;
        panel[o + c] = clamp(c === sub ? v * gap * 1.35 + 10 : v * gap * 0.33 + 6);
      }
    }
  }
  // Camera: a slight rotation and a non-integer downscale back to about the source size (moiré).
  const angle = 1.5 + random() * 2;
  const scale = 1 / (cell * (0.93 + random() * 0.1));
  const shot = await raw(
    fromRaw({ data: panel, width: W, height: H })
      .rotate(angle, { background: { r: 12, g: 12, b: 14 } })
      .resize(Math.round(W * scale), Math.round(H * scale), { kernel: 'linear' }),
  );
  // Glare: an additive soft ellipse somewhere in the upper half.
  const gx = shot.width * (0.2 + random() * 0.6);
  const gy = shot.height * (0.1 + random() * 0.3);
  const gr = Math.min(shot.width, shot.height) * (0.18 + random() * 0.12);
  for (let y = 0; y < shot.height; y++)
    for (let x = 0; x < shot.width; x++) {
      const d = ((x - gx) / (gr * 1.6)) ** 2 + ((y - gy) / gr) ** 2;
      const glare = 120 * Math.exp(-d * 2);
      const o = (y * shot.width + x) * 3;
      for (let c = 0; c < 3; c++) shot.data[o + c] = clamp(shot.data[o + c]! + glare);
    }
  return jpeg(fromRaw(shot).resize(src.width, src.height, { fit: 'fill' }));
}

async function print(input: Buffer, seed: number): Promise<Buffer> {
  const random = rng(seed);
  const src0 = await raw(input);
  // Print at 2x so the dot screen (cell 5 px) is finer than the picture's detail.
  const k = 2;
  const src = await raw(sharp(input).resize(src0.width * k, src0.height * k, { kernel: 'cubic' }));
  const { width: W, height: H } = src;
  const out = Buffer.alloc(W * H * 3);
  const cellSize = 5;
  const angles = [15, 75, 0, 45].map((a) => (a * Math.PI) / 180); // C, M, Y, K
  // Ink colours (what each ink absorbs), and the paper.
  const paper = [238, 233, 220];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const r = src.data[i]! / 255;
      const g = src.data[i + 1]! / 255;
      const b = src.data[i + 2]! / 255;
      const kk = 1 - Math.max(r, g, b);
      const cmyk = [
        (1 - r - kk) / (1 - kk || 1),
        (1 - g - kk) / (1 - kk || 1),
        (1 - b - kk) / (1 - kk || 1),
        kk,
      ];
      // Each ink: a dot on its rotated grid whose area matches the coverage.
      const covered = cmyk.map((cov, n) => {
        const a = angles[n]!;
        const u = (x * Math.cos(a) + y * Math.sin(a)) / cellSize;
        const v = (-x * Math.sin(a) + y * Math.cos(a)) / cellSize;
        const du = u - Math.round(u);
        const dv = v - Math.round(v);
        const radius = Math.sqrt(Math.max(0, cov) / Math.PI);
        return Math.sqrt(du * du + dv * dv) < radius ? 1 : 0;
      });
      const texture = (random() - 0.5) * 14;
      // Subtractive mixing with imperfect inks (gamut: the darkest black is ~45).
      const rr = paper[0]! * (1 - 0.8 * covered[0]!) * (1 - 0.1 * covered[1]!) * (1 - 0.78 * covered[3]!);
      const gg =
        paper[1]! *
        (1 - 0.15 * covered[0]!) *
        (1 - 0.8 * covered[1]!) *
        (1 - 0.1 * covered[2]!) *
        (1 - 0.78 * covered[3]!);
      const bb =
        paper[2]! *
        (1 - 0.1 * covered[0]!) *
        (1 - 0.2 * covered[1]!) *
        (1 - 0.75 * covered[2]!) *
        (1 - 0.78 * covered[3]!);
      out[i] = clamp(rr + texture);
      out[i + 1] = clamp(gg + texture);
      out[i + 2] = clamp(bb + texture);
    }
  // Re-photographed: downscale back with a little blur (the camera does not resolve every dot).
  return jpeg(
    fromRaw({ data: out, width: W, height: H })
      .blur(1.1)
      .resize(src0.width, src0.height, { kernel: 'linear' }),
  );
}

async function frame(input: Buffer, seed: number): Promise<Buffer> {
  const random = rng(seed);
  const src = await raw(input);
  const { width: W, height: H } = src;
  const phone = random() < 0.5;
  // The held picture fills ~65 % of the frame; the rest is another scene (a blurred, shifted, flipped
  // copy of the capture, darker: a room behind the attacker's hand).
  const inner = 0.62 + random() * 0.08;
  const pw = Math.round(W * inner);
  const ph = Math.round(H * inner);
  const border = Math.max(4, Math.round(Math.min(pw, ph) * (phone ? 0.05 : 0.09)));
  const picture = await sharp(input)
    .rotate()
    .removeAlpha()
    .resize(pw - 2 * border, ph - 2 * border, { fit: 'fill' })
    .png()
    .toBuffer();
  const background = await sharp(input)
    .rotate()
    .removeAlpha()
    .flop()
    .resize(W, H, { fit: 'fill' })
    .blur(Math.max(8, W / 30)) // no recognisable face left in the background
    .modulate({ brightness: 0.6, saturation: 0.7 })
    .png()
    .toBuffer();
  const borderColour = phone ? { r: 18, g: 18, b: 20 } : { r: 236, g: 233, b: 224 };
  const rx = phone ? Math.round(border * 1.5) : 0;
  const card = await sharp({
    create: { width: pw, height: ph, channels: 4, background: { ...borderColour, alpha: 1 } },
  })
    .composite([
      { input: picture, left: border, top: border },
      {
        // Rounded corners for a phone: cut them out of the card.
        input: Buffer.from(
          `<svg width="${pw}" height="${ph}"><rect width="${pw}" height="${ph}" rx="${rx}" ry="${rx}" fill="#fff"/></svg>`,
        ),
        blend: 'dest-in',
      },
    ])
    .png()
    .toBuffer();
  const left = Math.round((W - pw) * (0.3 + random() * 0.4));
  const top = Math.round((H - ph) * (0.3 + random() * 0.4));
  // Fingers holding the picture at its lower edge: skin-coloured rounded rectangles.
  const fw = Math.round(pw * 0.09);
  const fingers = [0.12, 0.24].map(
    (f) =>
      `<rect x="${left + Math.round(pw * f)}" y="${top + ph - Math.round(border * 1.8)}" width="${fw}" height="${Math.round(fw * 2.4)}" rx="${Math.round(fw / 2)}" fill="rgb(214,160,130)"/>`,
  );
  const hand = Buffer.from(`<svg width="${W}" height="${H}">${fingers.join('')}</svg>`);
  return jpeg(
    sharp(background).composite([
      { input: card, left, top },
      { input: hand, left: 0, top: 0 },
    ]),
  );
}

async function ldr(input: Buffer, seed: number): Promise<Buffer> {
  const random = rng(seed);
  const src = await raw(sharp(input).blur(1.3));
  const lo = 55 + random() * 15;
  const hi = 170 + random() * 15;
  for (let i = 0; i < src.data.length; i += 3) {
    const noise = (random() - 0.5) * 10;
    for (let c = 0; c < 3; c++) src.data[i + c] = clamp(lo + (src.data[i + c]! / 255) * (hi - lo) + noise);
  }
  return jpeg(fromRaw(src), 30);
}

const ATTACKS: Record<AttackType, (input: Buffer, seed: number) => Promise<Buffer>> = {
  screen,
  print,
  frame,
  ldr,
};

/** The attack of `type` applied to a genuine capture (any format sharp reads); returns a JPEG. */
export function simulateAttack(type: AttackType, genuine: Buffer, seed = 1): Promise<Buffer> {
  return ATTACKS[type](genuine, seed);
}
