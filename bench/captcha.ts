/**
 * Solver resistance of the captcha: the share of fresh captchas that tesseract OCR and a glyph-template
 * matcher trained on labelled samples of our own generator read correctly (goal: each below 2%). The
 * same attacks run on two controls, plain text and svg-captcha's own output (rasterised), to show that
 * they are competent and that the low rates come from the image. (format=svg carries the same raster.)
 *
 * Then the solver that matters: a CNN + BiGRU + CTC network (bench/captcha_solver.py, PyTorch) trained
 * on our generator's output for a fixed number of minutes per training-set size, read on fresh captchas.
 *
 *   npm run bench:captcha [-- --test 200 --train 600 --only facegate --examples]
 *   npm run bench:captcha [-- --learned-sizes 2000,5000,10000 --learned-steps 600 --learned-minutes 30]
 *   npm run bench:captcha [-- --learned-steps 0 --learned-minutes 4]   (a wall-clock budget instead)
 *   npm run bench:captcha -- --learned-only   (skips tesseract and the template matcher)
 *   npm run bench:captcha -- --skip-learned   (no PyTorch needed)
 *
 * `--examples` also writes a few captchas to docs/captcha-examples/ and a panel of twelve to
 * docs/captcha-samples.png for people to look at (answers printed, in reading order).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import sharp from 'sharp';
import svgCaptcha from 'svg-captcha';
import {
  CAPTCHA_ALPHABET,
  CAPTCHA_HEIGHT,
  CAPTCHA_LENGTH,
  CAPTCHA_WIDTH,
  randomCaptchaText,
  renderCaptcha,
} from '../shared/captcha/render.ts';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    test: { type: 'string', default: '200' },
    train: { type: 'string', default: '600' },
    examples: { type: 'boolean', default: false },
    /** Only the generators whose name contains this, e.g. `--only facegate`. */
    only: { type: 'string', default: '' },
    'learned-sizes': { type: 'string', default: '2000,5000,10000' },
    'learned-minutes': { type: 'string', default: '30' },
    /** A budget in optimiser steps (capped by the minutes): the same compute on a busy machine. */
    'learned-steps': { type: 'string', default: '600' },
    'learned-test': { type: 'string', default: '1000' },
    'learned-only': { type: 'boolean', default: false },
    'skip-learned': { type: 'boolean', default: false },
  },
});
const TEST = Number(args.test);
const TRAIN = Number(args.train);

interface Sample {
  text: string;
  png: Buffer;
}

interface Generator {
  name: string;
  make(text: string): Promise<Buffer>;
}

const whitePng = (svg: string) => sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();

const generators: Generator[] = [
  { name: 'facegate', make: (text) => renderCaptcha(text, 'png') },
  {
    name: 'plain text (control)',
    make: (text) =>
      whitePng(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${CAPTCHA_WIDTH}" height="${CAPTCHA_HEIGHT}">` +
          `<text x="20" y="62" font-family="DejaVu Sans" font-weight="bold" font-size="40" letter-spacing="4">${text}</text></svg>`,
      ),
  },
  { name: 'svg-captcha (control)', make: (text) => whitePng(svgCaptchaFor(text)) },
];

/** svg-captcha's own rendering of a given text (its create() draws a random one). */
function svgCaptchaFor(text: string): string {
  const render = svgCaptcha as unknown as (text: string, options: svgCaptcha.ConfigObject) => string;
  return render(text, { noise: 2, width: CAPTCHA_WIDTH, height: CAPTCHA_HEIGHT });
}

async function samples(gen: Generator, n: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const text = randomCaptchaText();
    out.push({ text, png: await gen.make(text) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Image preprocessing an attacker who knows the generator would do: a dark-ink mask, speckle removed,
// thin strokes opened away.

interface Mask {
  w: number;
  h: number;
  px: Uint8Array;
}

/** Pixels whose HSL lightness is below `threshold`: the generator draws text dark and clutter light. */
async function inkMask(png: Buffer, threshold: number): Promise<Mask> {
  const { data, info } = await sharp(png).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({
    resolveWithObject: true,
  });
  const px = new Uint8Array(info.width * info.height);
  for (let i = 0; i < px.length; i++) {
    const [r, g, b] = [data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!];
    px[i] = (Math.max(r, g, b) + Math.min(r, g, b)) / 2 < threshold ? 1 : 0;
  }
  return { w: info.width, h: info.height, px };
}

function morph(m: Mask, r: number, erode: boolean): Mask {
  const px = new Uint8Array(m.px.length);
  for (let y = 0; y < m.h; y++) {
    for (let x = 0; x < m.w; x++) {
      let v = erode ? 1 : 0;
      for (let dy = -r; dy <= r && v === (erode ? 1 : 0); dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          const inside = yy >= 0 && yy < m.h && xx >= 0 && xx < m.w ? m.px[yy * m.w + xx]! : 0;
          if (erode && !inside) {
            v = 0;
            break;
          }
          if (!erode && inside) {
            v = 1;
            break;
          }
        }
      }
      px[y * m.w + x] = v;
    }
  }
  return { ...m, px };
}

const opening = (m: Mask, r: number): Mask => (r ? morph(morph(m, r, true), r, false) : m);

/** Drops connected components smaller than `minArea` pixels (speckle, fragments of cut strokes). */
function despeckle(m: Mask, minArea: number): Mask {
  const px = m.px.slice();
  const seen = new Uint8Array(px.length);
  for (let start = 0; start < px.length; start++) {
    if (!px[start] || seen[start]) continue;
    const stack = [start];
    const comp: number[] = [];
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      comp.push(p);
      const x = p % m.w;
      for (const q of [p - 1, p + 1, p - m.w, p + m.w]) {
        if (q < 0 || q >= px.length || seen[q] || !px[q]) continue;
        if ((q === p - 1 && x === 0) || (q === p + 1 && x === m.w - 1)) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
    if (comp.length < minArea) for (const p of comp) px[p] = 0;
  }
  return { ...m, px };
}

// ---------------------------------------------------------------------------------------------
// Segmentation into n glyphs: cuts at low-ink columns, with segment widths kept close
// to an even split of the text span (dynamic programming over cut positions).

function columnProfile(m: Mask): number[] {
  const prof = new Array<number>(m.w).fill(0);
  for (let y = 0; y < m.h; y++) for (let x = 0; x < m.w; x++) prof[x]! += m.px[y * m.w + x]!;
  // Smooth over 3 columns so single-pixel gaps are not taken for glyph boundaries.
  return prof.map((_, x) => ((prof[x - 1] ?? 0) + prof[x]! + (prof[x + 1] ?? 0)) / 3);
}

function segment(m: Mask, n: number): [number, number][] {
  const prof = columnProfile(m);
  const busy = prof.map((v) => v > 4);
  const from = busy.indexOf(true);
  const to = busy.lastIndexOf(true) + 1;
  if (from < 0 || to - from < n * 4) return [];
  const span = to - from;
  const ideal = span / n;
  // best[k][x]: cheapest way to place k cuts with the k-th at column x.
  const cost = (a: number, b: number) => ((b - a - ideal) / ideal) ** 2 * 40;
  const best: number[][] = [[...prof.map(() => Infinity)]];
  const back: number[][] = [[]];
  best[0]![from] = 0;
  for (let k = 1; k <= n; k++) {
    best[k] = prof.map(() => Infinity);
    back[k] = prof.map(() => -1);
    for (let x = from + 1; x <= to; x++) {
      if (k === n && x !== to) continue;
      for (let p = Math.max(from, Math.ceil(x - ideal * 2)); p < x - ideal * 0.3; p++) {
        const prev = best[k - 1]![p]!;
        if (prev === Infinity) continue;
        const c = prev + cost(p, x) + (k < n ? (prof[x] ?? 0) : 0);
        if (c < best[k]![x]!) {
          best[k]![x] = c;
          back[k]![x] = p;
        }
      }
    }
  }
  if (best[n]![to] === Infinity) return [];
  const cuts = [to];
  for (let k = n; k > 0; k--) cuts.unshift(back[k]![cuts[0]!]!);
  return cuts.slice(1).map((x, i) => [cuts[i]!, x]);
}

const CELL = 20;

/** A segment cropped to its ink rows and resampled to CELL x CELL, as a zero-mean unit vector. */
function features(m: Mask, [x0, x1]: [number, number]): Float32Array {
  const rows: number[] = [];
  for (let y = 0; y < m.h; y++) for (let x = x0; x < x1; x++) if (m.px[y * m.w + x]) rows.push(y);
  const y0 = rows[Math.floor(rows.length * 0.03)] ?? 0;
  const y1 = (rows[Math.floor(rows.length * 0.97)] ?? m.h - 1) + 1;
  const v = new Float32Array(CELL * CELL);
  for (let cy = 0; cy < CELL; cy++) {
    for (let cx = 0; cx < CELL; cx++) {
      // Box-average the source area that maps onto this cell.
      const sy0 = y0 + ((y1 - y0) * cy) / CELL;
      const sy1 = y0 + ((y1 - y0) * (cy + 1)) / CELL;
      const sx0 = x0 + ((x1 - x0) * cx) / CELL;
      const sx1 = x0 + ((x1 - x0) * (cx + 1)) / CELL;
      let sum = 0;
      let count = 0;
      for (let y = Math.floor(sy0); y < Math.max(Math.ceil(sy1), Math.floor(sy0) + 1); y++) {
        for (let x = Math.floor(sx0); x < Math.max(Math.ceil(sx1), Math.floor(sx0) + 1); x++) {
          sum += m.px[y * m.w + x] ?? 0;
          count++;
        }
      }
      v[cy * CELL + cx] = sum / count;
    }
  }
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = v[i]! - mean;
    norm += v[i]! ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

interface Preprocess {
  threshold: number;
  open: number;
}

async function cleanMask(png: Buffer, pre: Preprocess): Promise<Mask> {
  return despeckle(opening(await inkMask(png, pre.threshold), pre.open), 12);
}

const glyphVectors = (mask: Mask, n: number) => segment(mask, n).map((seg) => features(mask, seg));

/**
 * The template matcher: k nearest labelled glyphs by correlation, majority vote. The text length
 * varies, so it reads the image as each possible length and keeps the most confident reading.
 */
class TemplateMatcher {
  private readonly templates: { v: Float32Array; ch: string }[] = [];

  constructor(
    private readonly pre: Preprocess,
    private readonly k = 3,
  ) {}

  async learn(train: Sample[]): Promise<void> {
    for (const s of train) {
      const vs = glyphVectors(await cleanMask(s.png, this.pre), s.text.length);
      vs.forEach((v, i) => this.templates.push({ v, ch: s.text[i]! }));
    }
  }

  async solve(s: Sample): Promise<string> {
    const mask = await cleanMask(s.png, this.pre);
    let best = { text: '', score: -Infinity };
    for (let n = CAPTCHA_LENGTH.min; n <= CAPTCHA_LENGTH.max; n++) {
      const reads = glyphVectors(mask, n).map((v) => this.classify(v));
      const score = reads.reduce((sum, r) => sum + r.score, 0) / n;
      if (reads.length && score > best.score) best = { text: reads.map((r) => r.ch).join(''), score };
    }
    return best.text;
  }

  private classify(v: Float32Array): { ch: string; score: number } {
    const scored = this.templates.map((t) => {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i]! * t.v[i]!;
      return { ch: t.ch, dot };
    });
    scored.sort((a, b) => b.dot - a.dot);
    const votes = new Map<string, number>();
    for (const { ch, dot } of scored.slice(0, this.k)) votes.set(ch, (votes.get(ch) ?? 0) + dot);
    const [ch, sum] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { ch, score: sum / this.k };
  }
}

/** Share of glyphs read right in place (a reading of the wrong length still scores its matches). */
const charAccuracy = (guesses: string[], test: Sample[]) =>
  test.reduce((n, s, i) => n + [...s.text].filter((ch, j) => guesses[i]![j] === ch).length, 0) /
  test.reduce((n, s) => n + s.text.length, 0);

const solvedShare = (guesses: string[], test: Sample[]) =>
  test.filter((s, i) => guesses[i] === s.text).length / test.length;

/** Tunes the preprocessing on a held-out part of the training set, as an attacker would. */
async function templateAttack(train: Sample[], test: Sample[]) {
  const fit = train.slice(0, Math.floor(train.length * 0.8));
  const holdout = train.slice(fit.length);
  let bestPre: Preprocess = { threshold: 128, open: 0 };
  let bestAcc = -1;
  for (const threshold of [110, 150]) {
    for (const open of [0, 1]) {
      const m = new TemplateMatcher({ threshold, open });
      await m.learn(fit);
      const guesses: string[] = [];
      for (const s of holdout) guesses.push(await m.solve(s));
      const acc = charAccuracy(guesses, holdout);
      if (acc > bestAcc) [bestAcc, bestPre] = [acc, { threshold, open }];
    }
  }
  const matcher = new TemplateMatcher(bestPre);
  await matcher.learn(train);
  const guesses: string[] = [];
  for (const s of test) guesses.push(await matcher.solve(s));
  return {
    solved: solvedShare(guesses, test),
    charAccuracy: charAccuracy(guesses, test),
    preprocess: bestPre,
  };
}

// ---------------------------------------------------------------------------------------------
// Tesseract, on the raw image and on the attacker's cleaned mask; a captcha counts as solved when
// either reading is right (the API allows three attempts).

/** tesseract's reading of one line of text; a crash (it dies on some near-empty masks) reads nothing. */
async function tesseract(file: string): Promise<string> {
  const options = ['--dpi', '150', '--psm', '7', '-c', `tessedit_char_whitelist=${CAPTCHA_ALPHABET}`];
  const reading = await run('tesseract', [file, 'stdout', ...options]).catch(() => ({ stdout: '' }));
  return reading.stdout.replace(/\s+/g, '').toUpperCase();
}

async function maskPng(png: Buffer): Promise<Buffer> {
  const m = await cleanMask(png, { threshold: 128, open: 1 });
  const grey = Buffer.from(m.px.map((v) => (v ? 0 : 255)));
  // Upscaled: tesseract reads best at cap heights of 30+ pixels.
  return sharp(grey, { raw: { width: m.w, height: m.h, channels: 1 } })
    .resize(m.w * 2)
    .png()
    .toBuffer();
}

async function tesseractAttack(test: Sample[]) {
  const dir = mkdtempSync(join(tmpdir(), 'captcha-bench-'));
  try {
    let raw = 0;
    let either = 0;
    const queue = test.map((s, i) => ({ s, i }));
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const rawFile = join(dir, `${job.i}.png`);
        const maskFile = join(dir, `${job.i}-mask.png`);
        writeFileSync(
          rawFile,
          await sharp(job.s.png)
            .resize(CAPTCHA_WIDTH * 2)
            .png()
            .toBuffer(),
        );
        writeFileSync(maskFile, await maskPng(job.s.png));
        const a = await tesseract(rawFile);
        const b = await tesseract(maskFile);
        if (a === job.s.text) raw++;
        if (a === job.s.text || b === job.s.text) either++;
      }
    };
    await Promise.all([worker(), worker()]);
    return { solvedRaw: raw / test.length, solved: either / test.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The learned solver: samples rendered here, the network trained and evaluated by captcha_solver.py.

/** What the network sees: the captcha downscaled by two, RGB (colour is the attacker's to use or drop). */
const NET_SIZE = { width: 160, height: 48 } as const;

/**
 * Samples are cached per generator version (a hash of its source), so that reruns with other sizes or
 * budgets reuse them; `bench/.cache/` is gitignored and holds no weights.
 */
function sampleCacheDir(): string {
  const source = ['render.ts', 'glyph-fonts.ts'].map((f) => readFileSync(join('shared/captcha', f)));
  const version = createHash('sha256')
    .update(Buffer.concat([...source, Buffer.from(JSON.stringify(NET_SIZE))]))
    .digest('hex')
    .slice(0, 12);
  return join('bench/.cache/captcha-learned', version);
}

/** Tops up `<split>.u8` / `<split>.txt` in `dir` to `n` fresh labelled samples. */
async function topUpSamples(dir: string, split: string, n: number): Promise<void> {
  const labels = join(dir, `${split}.txt`);
  const have = existsSync(labels) ? readFileSync(labels, 'utf8').split('\n').filter(Boolean).length : 0;
  if (have < n) console.error(`rendering ${n - have} ${split} captchas into ${dir}`);
  for (let i = have; i < n; i++) {
    const text = randomCaptchaText();
    const png = await renderCaptcha(text, 'png');
    const pixels = await sharp(png).resize(NET_SIZE.width, NET_SIZE.height, { fit: 'fill' }).raw().toBuffer();
    appendFileSync(join(dir, `${split}.u8`), pixels);
    appendFileSync(labels, `${text}\n`);
  }
}

/** Render time per captcha (PNG, as the API serves it), p50 and p95 over `n` renders. */
async function renderTiming(n = 200) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await renderCaptcha(randomCaptchaText(), 'png');
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(n * 0.5)]!, p95: ms[Math.floor(n * 0.95)]! };
}

/** Debian's interpreter, where python3-torch installs (a pyenv or venv python3 first on PATH would not see it). */
const PYTHON = '/usr/bin/python3';

/**
 * The solver needs PyTorch: Debian's python3-torch, installed on first use (benchmark only), with
 * OpenBLAS (Debian's torch calls the system BLAS; the reference one makes the GRU ten times slower).
 */
async function ensureTorch(): Promise<void> {
  const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';
  if (
    existsSync(openblas) &&
    (await run(PYTHON, ['-c', 'import torch']).then(
      () => true,
      () => false,
    ))
  )
    return;
  console.error(
    'installing python3-torch and OpenBLAS with apt-get (benchmark only, not a service dependency)',
  );
  const code = await new Promise<number | null>((resolve) =>
    spawn('apt-get', ['install', '-y', '--no-install-recommends', 'python3-torch', 'libopenblas0-pthread'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
      .on('error', () => resolve(-1))
      .on('close', resolve),
  );
  if (code !== 0) {
    throw new Error(
      'apt-get install python3-torch libopenblas0-pthread failed (root needed), or use --skip-learned',
    );
  }
}

interface LearnedRow {
  trainSize: number;
  minutes: number;
  steps: number;
  epochs: number;
  solved: number;
  charAccuracy: number;
}

async function learnedAttack() {
  const sizes = args['learned-sizes'].split(',').map(Number);
  const test = Number(args['learned-test']);
  await ensureTorch();
  const dir = sampleCacheDir();
  mkdirSync(dir, { recursive: true });
  await topUpSamples(dir, 'test', test);
  await topUpSamples(dir, 'train', Math.max(...sizes));
  const solver = spawn(
    PYTHON,
    [
      'bench/captcha_solver.py',
      ...['--data', dir, '--sizes', sizes.join(','), '--minutes', args['learned-minutes']],
      ...['--steps', args['learned-steps']],
      ...['--alphabet', CAPTCHA_ALPHABET, '--height', `${NET_SIZE.height}`, '--width', `${NET_SIZE.width}`],
    ],
    // One thread: the machine is shared, and one training runs at a time.
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    },
  );
  const rows: LearnedRow[] = [];
  for await (const line of createInterface({ input: solver.stdout })) {
    const row = JSON.parse(line) as LearnedRow;
    console.error(`learned solver, ${row.trainSize} samples: ${pct(row.solved)} solved`);
    rows.push(row);
  }
  const code = await new Promise((resolve) => solver.on('close', resolve));
  if (code !== 0) throw new Error(`captcha_solver.py exited with ${code}`);
  return { samples: dir, test, rows };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

async function main() {
  if (args.examples) await writeExamples();

  mkdirSync('bench/results', { recursive: true });
  if (!args['learned-only']) await classicAttacks();
  if (!args['skip-learned']) await learnedAttacks();
}

async function writeExamples() {
  const dir = 'docs/captcha-examples';
  mkdirSync(dir, { recursive: true });
  const texts = Array.from({ length: 12 }, randomCaptchaText);
  const images = await Promise.all(texts.map((text) => renderCaptcha(text, 'png')));
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `example-${i + 1}-${texts[i]}.png`), images[i]!);
  const [cell, columns] = [{ width: CAPTCHA_WIDTH + 10, height: CAPTCHA_HEIGHT + 10 }, 2];
  await sharp({
    create: { width: cell.width * columns, height: cell.height * 6, channels: 3, background: '#ffffff' },
  })
    .composite(
      images.map((input, i) => ({
        input,
        left: (i % columns) * cell.width + 5,
        top: Math.floor(i / columns) * cell.height + 5,
      })),
    )
    .png()
    .toFile('docs/captcha-samples.png');
  console.log(`wrote 6 examples to ${dir}/ and docs/captcha-samples.png: ${texts.join(' ')}`);
}

async function classicAttacks() {
  const rows = [];
  for (const gen of generators.filter((g) => g.name.includes(args.only))) {
    const started = Date.now();
    const train = await samples(gen, TRAIN);
    const test = await samples(gen, TEST);
    const renderMs = (Date.now() - started) / (TRAIN + TEST);
    const template = await templateAttack(train, test);
    console.error(`${gen.name}: template attack done after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const ocr = await tesseractAttack(test);
    rows.push({ generator: gen.name, test: TEST, train: TRAIN, renderMs, template, tesseract: ocr });
  }

  console.log(`captcha solver resistance (${TEST} fresh captchas each; goal: each solver below 2%)`);
  console.table(
    rows.map((r) => ({
      generator: r.generator,
      'tesseract solved': pct(r.tesseract.solved),
      'tesseract raw only': pct(r.tesseract.solvedRaw),
      'template solved': pct(r.template.solved),
      'template per-glyph': pct(r.template.charAccuracy),
      'render ms': r.renderMs.toFixed(1),
    })),
  );
  writeFileSync(
    'bench/results/captcha.json',
    JSON.stringify({ date: new Date().toISOString(), alphabet: CAPTCHA_ALPHABET, rows }, null, 2),
  );
  console.log('wrote bench/results/captcha.json');
}

async function learnedAttacks() {
  const render = await renderTiming();
  const learned = await learnedAttack();
  const table = learned.rows.map((r) => ({
    'training captchas': r.trainSize,
    'training steps (32 each)': r.steps,
    epochs: r.epochs,
    'training minutes': r.minutes,
    solved: pct(r.solved),
    'per character': pct(r.charAccuracy),
  }));
  console.log(
    `learned solver (CNN + BiGRU + CTC, one CPU thread) on ${learned.test} fresh captchas; ` +
      `render p50 ${render.p50.toFixed(1)} ms, p95 ${render.p95.toFixed(1)} ms`,
  );
  console.table(table);
  const result = { date: new Date().toISOString(), alphabet: CAPTCHA_ALPHABET, renderMs: render, ...learned };
  writeFileSync('bench/results/captcha-learned.json', JSON.stringify(result, null, 2));
  const header = Object.keys(table[0] ?? {});
  writeFileSync(
    'bench/results/captcha-learned.md',
    [
      `Learned solver on ${learned.test} fresh captchas, ${result.date.slice(0, 10)}, samples ${learned.samples}, ` +
        `render p50 ${render.p50.toFixed(1)} ms`,
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...table.map((row) => `| ${Object.values(row).join(' | ')} |`),
      '',
    ].join('\n'),
  );
  console.log('wrote bench/results/captcha-learned.json and .md');
}

await main();
