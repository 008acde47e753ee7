import { inflateRawSync } from 'node:zlib';

/**
 * Minimal reader for PyTorch checkpoints holding a state_dict of tensors (`torch.save(model.state_dict())`).
 *
 * Two container layouts exist:
 * - zip (torch >= 1.6): `<archive>/data.pkl` is the pickle, `<archive>/data/<key>` the raw storages
 *   (little-endian, usually stored uncompressed; deflated entries are inflated with node:zlib).
 * - legacy (torch < 1.6, e.g. the MiniFASNet checkpoints): five back-to-back things in one file: pickles
 *   of a magic number, the protocol version and system info, then the object pickle, then a pickle listing
 *   the storage keys, then for each key an int64 element count followed by the raw bytes.
 *
 * In both the object pickle names each storage by a persistent id
 * `('storage', <torch.FloatStorage>, key, location, numel[, view_metadata])`, and every tensor is
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)`.
 * The pickle machine below implements only the opcodes those pickles use (protocols 2 to 4), resolves
 * the handful of globals a state_dict needs and refuses anything else, so loading a checkpoint never runs
 * code. Non-float32 tensors (e.g. BatchNorm's int64 `num_batches_tracked`) are skipped.
 */

export interface PthTensor {
  shape: number[];
  /** Contiguous (row-major) copy, whatever the strides and offset in the file. */
  data: Float32Array;
}

export type StateDict = Map<string, PthTensor>;

const ELEMENT_SIZE: Record<string, number> = {
  FloatStorage: 4,
  DoubleStorage: 8,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
};

class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified() {
    return `${this.module}.${this.name}`;
  }
}

interface StorageRef {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}

interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

type Value = unknown;

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  ...Object.keys(ELEMENT_SIZE).map((s) => `torch.${s}`),
]);

const isStorageType = (g: Value): g is Global =>
  g instanceof Global && g.module === 'torch' && g.name in ELEMENT_SIZE;

class Unpickler {
  pos: number;
  private stack: Value[] = [];
  private marks: number[] = [];
  private memo = new Map<number, Value>();

  constructor(
    private buf: Buffer,
    start: number,
    private persistentLoad: (pid: Value) => Value,
  ) {
    this.pos = start;
  }

  private u8() {
    return this.buf[this.pos++]!;
  }
  private take(n: number) {
    if (this.pos + n > this.buf.length) throw new Error('pth: truncated pickle');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private line() {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) throw new Error('pth: truncated pickle');
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  private pop() {
    if (this.stack.length === 0) throw new Error('pth: pickle stack underflow');
    return this.stack.pop();
  }
  private popMark(): Value[] {
    const at = this.marks.pop();
    if (at === undefined) throw new Error('pth: pickle MARK missing');
    return this.stack.splice(at);
  }
  private top() {
    return this.stack[this.stack.length - 1];
  }

  private global(module: string, name: string): Global {
    const g = new Global(module, name);
    if (!ALLOWED_GLOBALS.has(g.qualified)) throw new Error(`pth: refusing pickle global ${g.qualified}`);
    return g;
  }

  private call(fn: Value, args: Value): Value {
    if (!(fn instanceof Global) || !Array.isArray(args)) throw new Error('pth: unsupported REDUCE');
    switch (fn.qualified) {
      case 'collections.OrderedDict':
        return new Map<Value, Value>();
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, size, stride] = args as [StorageRef, number, number[], number[]];
        if (storage?.kind !== 'storage') throw new Error('pth: tensor without storage');
        return { kind: 'tensor', storage, offset, size: [...size], stride: [...stride] } satisfies TensorRef;
      }
      case 'torch._utils._rebuild_parameter':
        return args[0]; // (data, requires_grad, backward_hooks)
      default:
        throw new Error(`pth: cannot call ${fn.qualified}`);
    }
  }

  private setItems(target: Value, items: Value[]) {
    if (!(target instanceof Map)) throw new Error('pth: SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  }

  load(): Value {
    const b = this.buf;
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: // PROTO
          this.u8();
          break;
        case 0x95: // FRAME
          this.take(8);
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(b.readUInt16LE(this.pos));
          this.pos += 2;
          break;
        case 0x4a: // BININT
          this.stack.push(b.readInt32LE(this.pos));
          this.pos += 4;
          break;
        case 0x8a: {
          // LONG1: little-endian two's complement
          const n = this.u8();
          const bytes = this.take(n);
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
          if (n > 0 && bytes[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
          this.stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v);
          break;
        }
        case 0x47: // BINFLOAT (big-endian double)
          this.stack.push(b.readDoubleBE(this.pos));
          this.pos += 8;
          break;
        case 0x58: {
          // BINUNICODE
          const n = b.readUInt32LE(this.pos);
          this.pos += 4;
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x8c: {
          // SHORT_BINUNICODE
          const n = this.u8();
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x8d: {
          // BINUNICODE8
          const n = Number(b.readBigUInt64LE(this.pos));
          this.pos += 8;
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x63: {
          // GLOBAL "module\nname\n"
          const module = this.line();
          this.stack.push(this.global(module, this.line()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop() as string;
          this.stack.push(this.global(this.pop() as string, name));
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(b.readUInt32LE(this.pos), this.top());
          this.pos += 4;
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.stack.push(this.memo.get(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.memo.get(b.readUInt32LE(this.pos)));
          this.pos += 4;
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x74: // TUPLE
          this.stack.push(this.popMark());
          break;
        case 0x85: // TUPLE1
          this.stack.push([this.pop()]);
          break;
        case 0x86: {
          // TUPLE2
          const y = this.pop();
          this.stack.push([this.pop(), y]);
          break;
        }
        case 0x87: {
          // TUPLE3
          const z = this.pop();
          const y = this.pop();
          this.stack.push([this.pop(), y, z]);
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x61: {
          // APPEND
          const v = this.pop();
          (this.top() as Value[]).push(v);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          (this.top() as Value[]).push(...items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new Map<Value, Value>());
          break;
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          this.stack.push(this.call(this.pop(), args));
          break;
        }
        case 0x62: // BUILD: only OrderedDict's `_metadata` state reaches here; a state_dict ignores it.
          this.pop();
          break;
        case 0x51: // BINPERSID
          this.stack.push(this.persistentLoad(this.pop()));
          break;
        default:
          throw new Error(`pth: unsupported pickle opcode 0x${op.toString(16)} at ${this.pos - 1}`);
      }
    }
  }
}

function storageFromPid(pid: Value): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage') throw new Error('pth: unsupported persistent id');
  const [, type, key, , numel] = pid as [string, Value, string, string, number];
  if (!isStorageType(type)) throw new Error('pth: unknown storage type');
  return { kind: 'storage', type: type.name, key: String(key), numel: Number(numel) };
}

/** Zip entries by name, from the central directory (no zip64: checkpoints here are far below 4 GB). */
function readZip(buf: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error('pth: zip end of central directory not found');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('pth: bad zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('pth: bad zip local header');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    if (method === 0) entries.set(name, raw);
    else if (method === 8) entries.set(name, inflateRawSync(raw));
    else throw new Error(`pth: zip compression method ${method} not supported (${name})`);
  }
  return entries;
}

/** Row-major float32 copy of a strided view into a storage. */
function materialize(t: TensorRef, bytes: Buffer): Float32Array | undefined {
  if (t.storage.type !== 'FloatStorage') return undefined;
  const count = t.size.reduce((a, b) => a * b, 1);
  if (count === 0) return new Float32Array(0);
  let expected = 1;
  const contiguous = t.size.every((_, d) => {
    const i = t.size.length - 1 - d;
    const ok = t.size[i] === 1 || t.stride[i] === expected;
    expected *= t.size[i]!;
    return ok;
  });
  if (contiguous) {
    if ((t.offset + count) * 4 > bytes.byteLength) throw new Error('pth: tensor view outside its storage');
    // Byte copy: storages need not be 4-byte aligned in the file (the host is little-endian, as Lambda is).
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(t.offset * 4, (t.offset + count) * 4));
    return out;
  }
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const index = new Array<number>(t.size.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = t.offset;
    for (let d = 0; d < index.length; d++) at += index[d]! * t.stride[d]!;
    if ((at + 1) * 4 > bytes.byteLength) throw new Error('pth: tensor view outside its storage');
    out[i] = view.getFloat32(at * 4, true);
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < t.size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function toStateDict(root: Value, storageBytes: (s: StorageRef) => Buffer): StateDict {
  if (!(root instanceof Map)) throw new Error('pth: the checkpoint is not a state_dict');
  const out: StateDict = new Map();
  for (const [key, value] of root) {
    const t = value as TensorRef;
    if (typeof key !== 'string' || t?.kind !== 'tensor') continue;
    const data = materialize(t, storageBytes(t.storage));
    if (data) out.set(key, { shape: t.size, data });
  }
  return out;
}

export function parsePth(buf: Buffer): StateDict {
  if (buf.readUInt32LE(0) === 0x04034b50) {
    const entries = readZip(buf);
    const pkl = [...entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
    if (!pkl) throw new Error('pth: data.pkl missing from the zip');
    const prefix = pkl.slice(0, -'data.pkl'.length);
    const root = new Unpickler(entries.get(pkl)!, 0, storageFromPid).load();
    return toStateDict(root, (s) => {
      const data = entries.get(`${prefix}data/${s.key}`);
      if (!data) throw new Error(`pth: storage data/${s.key} missing`);
      return data;
    });
  }
  // Legacy layout.
  const storages = new Map<string, StorageRef>();
  const header = new Unpickler(buf, 0, () => {
    throw new Error('pth: unexpected persistent id in the header');
  });
  const magic = header.load();
  if (magic !== 0x1950a86a20f9469cfc6cn) throw new Error('pth: not a PyTorch checkpoint');
  header.load(); // protocol version
  header.load(); // sys info (little-endian, type sizes)
  const body = new Unpickler(buf, header.pos, (pid) => {
    const s = storageFromPid(pid);
    const known = storages.get(s.key);
    if (known) return known;
    storages.set(s.key, s);
    return s;
  });
  const root = body.load();
  const keysPickle = new Unpickler(buf, body.pos, () => undefined);
  const keys = keysPickle.load() as string[];
  const data = new Map<string, Buffer>();
  let p = keysPickle.pos;
  for (const key of keys) {
    const s = storages.get(key);
    if (!s) throw new Error(`pth: storage ${key} not referenced`);
    const numel = Number(buf.readBigInt64LE(p));
    const size = numel * ELEMENT_SIZE[s.type]!;
    if (p + 8 + size > buf.length) throw new Error('pth: truncated storage data');
    data.set(key, buf.subarray(p + 8, p + 8 + size));
    p += 8 + size;
  }
  return toStateDict(root, (s) => data.get(s.key)!);
}
