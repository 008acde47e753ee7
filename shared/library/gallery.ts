import { dotKernelWasmBase64 } from './dot-kernel-wasm.ts';
import { normalise } from './descriptor-codec.ts';

/** One enrolled face as the gallery needs it: whose it is and its descriptor bytes (descriptor-codec.ts). */
export interface GalleryFace {
  personId: string;
  descriptor: Uint8Array;
}

export interface GalleryPerson {
  personId: string;
  name: string;
}

export interface RankedPerson extends GalleryPerson {
  /** Cosine similarity of the query to this person's enrolled faces (see `personScore`). */
  cosine: number;
}

/**
 * The 1:N search seam. Search policy (thresholds, margins, similarity scale) lives above it in search.ts,
 * so an external vector engine can replace the in-memory matrix without changing results' semantics
 * (see SCALING.md).
 */
export interface Gallery {
  readonly faceCount: number;
  readonly personCount: number;
  /** Bytes held in memory, for the per-container cache budget. */
  readonly bytes: number;
  /** Persons whose faces are most similar to `query`, best first, at most `limit`. */
  rankPersons(query: ArrayLike<number>, limit: number): RankedPerson[];
}

/**
 * A person's score from the cosines of their two best-matching faces (`best2` is -Infinity with one face):
 * their mean. On the fixture set this widens the gap between enrolled people and strangers over taking
 * the best face alone (one lucky look-alike photo no longer decides), without the penalty that averaging
 * all faces puts on persons enrolled under varied conditions.
 */
export function personScore(best1: number, best2: number): number {
  return best2 === -Infinity ? best1 : (best1 + best2) / 2;
}

/** Rows are padded to whole kernel iterations (two 4-lane vectors). */
const LANES = 8;
const FLOAT = 4;
const WASM_PAGE = 65536;

let kernelModule: WebAssembly.Module | undefined;

interface DotKernel {
  memory: WebAssembly.Memory;
  dotRows(matrix: number, query: number, out: number, rows: number, dims: number): void;
}

function instantiateKernel(bytes: number): DotKernel {
  kernelModule ??= new WebAssembly.Module(Buffer.from(dotKernelWasmBase64, 'base64'));
  const kernel = new WebAssembly.Instance(kernelModule).exports as unknown as DotKernel;
  const missing = Math.ceil(bytes / WASM_PAGE) - kernel.memory.buffer.byteLength / WASM_PAGE;
  if (missing > 0) kernel.memory.grow(missing);
  return kernel;
}

/**
 * Exact 1:N search over a contiguous Float32 matrix (one row per face) in WebAssembly memory: one SIMD pass
 * of dot products, then a linear pass that keeps the best two faces per person. Rows are unit vectors, so
 * the dot product is the cosine similarity.
 */
export class MatrixGallery implements Gallery {
  readonly faceCount: number;
  readonly personCount: number;
  readonly bytes: number;
  private readonly kernel: DotKernel;
  private readonly stride: number;
  private readonly queryOffset: number;
  private readonly outOffset: number;
  private readonly rowPerson: Int32Array;
  private readonly best1: Float32Array;
  private readonly best2: Float32Array;

  /** Faces of persons not in `persons` are left out (their person was deleted while they were read). */
  constructor(
    readonly dims: number,
    private readonly persons: readonly GalleryPerson[],
    faces: Iterable<GalleryFace>,
  ) {
    const personIndex = new Map(persons.map((p, i) => [p.personId, i]));
    const usable = [...faces].filter((f) => personIndex.has(f.personId));
    if (usable.some((f) => f.descriptor.byteLength !== dims * FLOAT)) {
      throw new Error(`Gallery faces must have ${dims} dimensions.`);
    }
    this.faceCount = usable.length;
    this.personCount = persons.length;
    this.stride = Math.ceil(dims / LANES) * LANES;
    const rowBytes = this.stride * FLOAT;
    this.queryOffset = this.faceCount * rowBytes;
    this.outOffset = this.queryOffset + rowBytes;
    const wasmBytes = this.outOffset + this.faceCount * FLOAT;
    this.kernel = instantiateKernel(wasmBytes);
    this.rowPerson = new Int32Array(this.faceCount);
    this.best1 = new Float32Array(persons.length);
    this.best2 = new Float32Array(persons.length);
    this.bytes = wasmBytes + this.faceCount * 4 + persons.length * 8;

    const memory = new Uint8Array(this.kernel.memory.buffer);
    usable.forEach((face, row) => {
      memory.set(face.descriptor, row * rowBytes);
      this.rowPerson[row] = personIndex.get(face.personId)!;
    });
  }

  rankPersons(query: ArrayLike<number>, limit: number): RankedPerson[] {
    if (query.length !== this.dims)
      throw new Error(`Query has ${query.length} dimensions, gallery ${this.dims}.`);
    if (this.faceCount === 0 || limit <= 0) return [];
    new Float32Array(this.kernel.memory.buffer, this.queryOffset, this.stride).set(normalise(query));
    this.kernel.dotRows(0, this.queryOffset, this.outOffset, this.faceCount, this.stride);
    const cosines = new Float32Array(this.kernel.memory.buffer, this.outOffset, this.faceCount);

    const { best1, best2, rowPerson } = this;
    best1.fill(-Infinity);
    best2.fill(-Infinity);
    for (let row = 0; row < cosines.length; row++) {
      const cosine = cosines[row]!;
      const p = rowPerson[row]!;
      if (cosine > best1[p]!) {
        best2[p] = best1[p]!;
        best1[p] = cosine;
      } else if (cosine > best2[p]!) {
        best2[p] = cosine;
      }
    }
    return this.topPersons(limit);
  }

  /** Partial selection of the best `limit` persons (limit is small: topK + 1). */
  private topPersons(limit: number): RankedPerson[] {
    const top: { index: number; score: number }[] = [];
    for (let p = 0; p < this.personCount; p++) {
      if (this.best1[p] === -Infinity) continue;
      const score = personScore(this.best1[p]!, this.best2[p]!);
      if (top.length === limit && score <= top[limit - 1]!.score) continue;
      let at = top.length === limit ? limit - 1 : top.length;
      while (at > 0 && top[at - 1]!.score < score) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = { index: p, score };
    }
    return top.map(({ index, score }) => ({ ...this.persons[index]!, cosine: score }));
  }
}
