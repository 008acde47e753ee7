/**
 * Compiles dot-kernel.wat into dot-kernel-wasm.ts (base64), so that runtime code needs no WAT toolchain.
 * Run after editing the .wat: `npx tsx shared/library/dot-kernel.build.ts`. dot-kernel.test.ts fails when
 * the two drift apart.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabt from 'wabt';

const watPath = fileURLToPath(new URL('./dot-kernel.wat', import.meta.url));
const outPath = fileURLToPath(new URL('./dot-kernel-wasm.ts', import.meta.url));

export async function compileDotKernel(): Promise<Uint8Array> {
  const tools = await wabt();
  const module = tools.parseWat(watPath, await readFile(watPath, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const base64 = Buffer.from(await compileDotKernel()).toString('base64');
  await writeFile(
    outPath,
    `// Generated from dot-kernel.wat by dot-kernel.build.ts; do not edit.\nexport const dotKernelWasmBase64 =\n  '${base64}';\n`,
  );
  console.log(`wrote ${outPath}`);
}
