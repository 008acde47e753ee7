import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePth } from './pth.ts';

const file = (name: string) => readFileSync(new URL(name, import.meta.url));
const reference = JSON.parse(readFileSync(new URL('reference-outputs.json', import.meta.url), 'utf8')) as {
  strided: Record<string, { shape: number[]; values: number[] }>;
};

describe('parsePth', () => {
  it('reads the legacy-format MiniFASNetV2 checkpoint', () => {
    const sd = parsePth(file('weights/2.7_80x80_MiniFASNetV2.pth'));
    // 284 float tensors; the 86 int64 num_batches_tracked are skipped.
    assert.equal(sd.size, 284);
    assert.ok(![...sd.keys()].some((k) => k.endsWith('num_batches_tracked')));
    assert.deepEqual(sd.get('module.conv1.conv.weight')?.shape, [32, 3, 3, 3]);
    assert.deepEqual(sd.get('module.conv2_dw.conv.weight')?.shape, [32, 1, 3, 3]);
    assert.deepEqual(sd.get('module.conv_4.model.0.conv.conv.weight')?.shape, [231, 128, 1, 1]);
    assert.deepEqual(sd.get('module.conv_6_dw.conv.weight')?.shape, [512, 1, 5, 5]);
    assert.deepEqual(sd.get('module.linear.weight')?.shape, [128, 512]);
    assert.deepEqual(sd.get('module.prob.weight')?.shape, [3, 128]);
    // First values as torch.load prints them.
    const w = sd.get('module.conv1.conv.weight')!.data;
    assert.ok(Math.abs(w[0]! - -0.0330523) < 1e-6 && Math.abs(w[1]! - -0.0176266) < 1e-6);
    assert.ok(sd.get('module.conv1.bn.running_var')!.data.every((v) => v > 0));
  });

  it('reads the MiniFASNetV1SE checkpoint with its SE blocks', () => {
    const sd = parsePth(file('weights/4_0_0_80x80_MiniFASNetV1SE.pth'));
    assert.equal(sd.size, 314);
    assert.deepEqual(sd.get('module.conv_3.model.3.se_module.fc1.weight')?.shape, [16, 64, 1, 1]);
    assert.deepEqual(sd.get('module.conv_3.model.3.se_module.fc2.weight')?.shape, [64, 16, 1, 1]);
    assert.deepEqual(sd.get('module.conv_4.model.0.conv.conv.weight')?.shape, [154, 128, 1, 1]);
    assert.equal(sd.get('module.conv_3.model.2.se_module.fc1.weight'), undefined);
  });

  it('reads zip checkpoints, following strides and storage offsets', () => {
    // testdata/strided.pth: written by scripts/verify-antispoof/reference.py with torch.save (zip layout).
    const sd = parsePth(file('testdata/strided.pth'));
    assert.deepEqual([...sd.keys()].sort(), Object.keys(reference.strided).sort());
    for (const [key, expected] of Object.entries(reference.strided)) {
      const t = sd.get(key)!;
      assert.deepEqual(t.shape, expected.shape, key);
      assert.deepEqual([...t.data], expected.values, key);
    }
  });

  it('refuses what is not a checkpoint', () => {
    assert.throws(() => parsePth(Buffer.from('PK\x03\x04 not really a zip')));
    assert.throws(() => parsePth(Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e])));
    // A pickle that would call os.system: refused before anything runs.
    assert.throws(() => parsePth(Buffer.from('\x80\x02cos\nsystem\n.', 'latin1')), /refusing/);
  });
});
