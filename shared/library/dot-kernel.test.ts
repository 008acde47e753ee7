import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compileDotKernel } from './dot-kernel.build.ts';
import { dotKernelWasmBase64 } from './dot-kernel-wasm.ts';

it('embeds exactly the compiled dot-kernel.wat (run dot-kernel.build.ts after editing it)', async () => {
  assert.equal(Buffer.from(await compileDotKernel()).toString('base64'), dotKernelWasmBase64);
});
