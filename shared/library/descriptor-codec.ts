/**
 * Face descriptors are persisted L2-normalised as raw little-endian Float32 (a DynamoDB binary attribute,
 * 4 bytes per dimension): exactly what the engine produced, so search over stored faces is exact, and
 * already in the byte order WebAssembly memory uses, so a gallery load is a copy.
 */

export function normalise(vector: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (!(sum > 0) || !Number.isFinite(sum))
    throw new Error('Descriptor has no direction (zero or non-finite).');
  const inverse = 1 / Math.sqrt(sum);
  const unit = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! * inverse;
  return unit;
}

export function encodeDescriptor(vector: ArrayLike<number>): Uint8Array {
  const unit = normalise(vector);
  const bytes = new Uint8Array(unit.length * 4);
  const view = new DataView(bytes.buffer);
  unit.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
