#!/usr/bin/python3
"""
Reference outputs for the tfjs MiniFASNet port (shared/face/antispoof/minifasnet.ts). Dev-only.

Regenerate (Debian: apt-get install -y python3-torch python3-numpy; use the system python):

    /usr/bin/python3 scripts/verify-antispoof/reference.py

It rebuilds MiniFASNetV1SE / V2 as plain torch modules (written from the upstream description in
minivision-ai/Silent-Face-Anti-Spoofing, src/model_lib/MiniFASNet.py: conv/BN/PReLU blocks, depthwise
bottlenecks, SE on the last block of each residual stage in the SE variant, 5x5 depthwise head, linear 128 +
BatchNorm1d, 3 logits), loads the checkpoints from shared/face/antispoof/weights with torch.load and
load_state_dict(strict=True) (so every key and shape must match the architecture), runs them in eval mode on
deterministic inputs and writes shared/face/antispoof/reference-outputs.json:

- inputs: "lcg-<seed>" = 80x80x3 pseudo-random BGR values 0..255 from the LCG below (regenerated in the TS
  test), and every testdata/*.bgr file (80x80x3 uint8 BGR crops of fixture faces, made by
  scripts/verify-antispoof/make-crops.ts with our crop code);
- per model and input: logits, softmax, and stats (sum, sum |x|, max |x|) of each stage's output;
- the crop check: upstream's CropImage box + a cv2.INTER_LINEAR-style resize in numpy on
  testdata/crop-source.rgb, for the TS crop to be compared with;
- testdata/strided.pth (zip layout, with a transposed and an offset view) for the .pth reader test.
"""
import json
import math
import os
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
HERE = os.path.join(ROOT, 'shared', 'face', 'antispoof')
WEIGHTS = os.path.join(HERE, 'weights')
TESTDATA = os.path.join(HERE, 'testdata')
MODELS = {'V2': '2.7_80x80_MiniFASNetV2.pth', 'V1SE': '4_0_0_80x80_MiniFASNetV1SE.pth'}
# Channel widths of the two variants (upstream keep_dict '1.8M' for V1/V1SE, '1.8M_' for V2).
KEEP = {
    'V1SE': [32, 32, 103, 103, 64, 13, 13, 64, 26, 26, 64, 13, 13, 64, 52, 52, 64, 231, 231, 128, 154, 154, 128,
             52, 52, 128, 26, 26, 128, 52, 52, 128, 26, 26, 128, 26, 26, 128, 308, 308, 128, 26, 26, 128, 26, 26,
             128, 512, 512],
    'V2': [32, 32, 103, 103, 64, 13, 13, 64, 13, 13, 64, 13, 13, 64, 13, 13, 64, 231, 231, 128, 231, 231, 128, 52,
           52, 128, 26, 26, 128, 77, 77, 128, 26, 26, 128, 26, 26, 128, 308, 308, 128, 26, 26, 128, 26, 26, 128,
           512, 512],
}


class ConvBN(nn.Module):
    """conv (no bias) -> BatchNorm2d -> optional PReLU; attribute names follow the checkpoint keys."""

    def __init__(self, cin, cout, k=1, s=1, p=0, groups=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.prelu = nn.PReLU(cout) if act else None

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.prelu(x) if self.prelu is not None else x


class SE(nn.Module):
    def __init__(self, c, r=4):
        super().__init__()
        self.fc1 = nn.Conv2d(c, c // r, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c // r)
        self.fc2 = nn.Conv2d(c // r, c, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        g = x.mean(dim=(2, 3), keepdim=True)
        g = torch.relu(self.bn1(self.fc1(g)))
        return x * torch.sigmoid(self.bn2(self.fc2(g)))


class Bottleneck(nn.Module):
    def __init__(self, cin, mid, cout, stride, residual, se):
        super().__init__()
        self.conv = ConvBN(cin, mid, 1)
        self.conv_dw = ConvBN(mid, mid, 3, stride, 1, groups=mid)
        self.project = ConvBN(mid, cout, 1, act=False)
        self.residual = residual
        if se:
            self.se_module = SE(cout)
        else:
            self.se_module = None

    def forward(self, x):
        y = self.project(self.conv_dw(self.conv(x)))
        if not self.residual:
            return y
        if self.se_module is not None:
            y = self.se_module(y)
        return x + y


class Stage(nn.Module):
    def __init__(self, widths, se_last):
        super().__init__()
        n = len(widths)
        self.model = nn.Sequential(*[
            Bottleneck(cin, mid, cout, 1, True, se_last and i == n - 1) for i, (cin, mid, cout) in enumerate(widths)
        ])

    def forward(self, x):
        return self.model(x)


class Net(nn.Module):
    def __init__(self, keep, se):
        super().__init__()
        k = keep
        self.conv1 = ConvBN(3, k[0], 3, 2, 1)
        self.conv2_dw = ConvBN(k[0], k[1], 3, 1, 1, groups=k[1])
        self.conv_23 = Bottleneck(k[1], k[2], k[4], 2, False, False)
        # Residual stages: block i maps k[a+3i] -> k[a+3i+1] (expand) -> k[a+3i+3] (project).
        stage = lambda a, n: [(k[a + 3 * i], k[a + 3 * i + 1], k[a + 3 * i + 3]) for i in range(n)]
        self.conv_3 = Stage(stage(4, 4), se)
        self.conv_34 = Bottleneck(k[16], k[17], k[19], 2, False, False)
        self.conv_4 = Stage(stage(19, 6), se)
        self.conv_45 = Bottleneck(k[37], k[38], k[40], 2, False, False)
        self.conv_5 = Stage(stage(40, 2), se)
        self.conv_6_sep = ConvBN(k[46], k[47], 1)
        self.conv_6_dw = ConvBN(k[47], k[48], 5, 1, 0, groups=k[48], act=False)
        self.linear = nn.Linear(512, 128, bias=False)
        self.bn = nn.BatchNorm1d(128)
        self.prob = nn.Linear(128, 3, bias=False)

    def forward(self, x, taps):
        for name in ['conv1', 'conv2_dw', 'conv_23', 'conv_3', 'conv_34', 'conv_4', 'conv_45', 'conv_5',
                     'conv_6_sep', 'conv_6_dw']:
            x = getattr(self, name)(x)
            taps[name] = x
        x = self.bn(self.linear(x.flatten(1)))
        taps['bn'] = x
        x = self.prob(x)
        taps['prob'] = x
        return x


def load(variant):
    sd = torch.load(os.path.join(WEIGHTS, MODELS[variant]), map_location='cpu')
    sd = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v) for k, v in sd.items())
    net = Net(KEEP[variant], se=variant.endswith('SE'))
    net.load_state_dict(sd, strict=True)
    return net.eval()


def lcg_bgr(seed):
    """80*80*3 values 0..255 (HWC, BGR): state = 1664525 * state + 1013904223 mod 2^32, value = state >> 24."""
    out = np.empty(80 * 80 * 3, dtype=np.float32)
    s = seed & 0xFFFFFFFF
    for i in range(out.size):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        out[i] = s >> 24
    return out.reshape(80, 80, 3)


def stats(t):
    a = t.detach().double()
    return {'sum': a.sum().item(), 'abs': a.abs().sum().item(), 'max': a.abs().max().item()}


# --- upstream crop (generate_patches.CropImage at b6d5f04) + cv2.resize INTER_LINEAR, in numpy -----------
def upstream_box(src_w, src_h, bbox, scale):
    x, y, bw, bh = bbox
    scale = min((src_h - 1) / bh, min((src_w - 1) / bw, scale))
    nw, nh = bw * scale, bh * scale
    cx, cy = bw / 2 + x, bh / 2 + y
    l, t, r, b = cx - nw / 2, cy - nh / 2, cx + nw / 2, cy + nh / 2
    if l < 0:
        r -= l
        l = 0
    if t < 0:
        b -= t
        t = 0
    if r > src_w - 1:
        l -= r - src_w + 1
        r = src_w - 1
    if b > src_h - 1:
        t -= b - src_h + 1
        b = src_h - 1
    return int(l), int(t), int(r), int(b)


def resize_linear(img, out_w, out_h):
    """cv2.INTER_LINEAR semantics for float output: half-pixel centres, edge clamp, no antialiasing."""
    h, w, _ = img.shape

    def axis(n_in, n_out):
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        src = np.clip(src, 0, None)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        f = src - i0
        return i0, i1, f

    y0, y1, fy = axis(h, out_h)
    x0, x1, fx = axis(w, out_w)
    img = img.astype(np.float64)
    top = img[y0][:, x0] * (1 - fx)[None, :, None] + img[y0][:, x1] * fx[None, :, None]
    bot = img[y1][:, x0] * (1 - fx)[None, :, None] + img[y1][:, x1] * fx[None, :, None]
    return top * (1 - fy)[:, None, None] + bot * fy[:, None, None]


def crop_check():
    meta_file = os.path.join(TESTDATA, 'crop-source.json')
    if not os.path.exists(meta_file):
        return None
    meta = json.load(open(meta_file))
    w, h = meta['width'], meta['height']
    rgb = np.fromfile(os.path.join(TESTDATA, 'crop-source.rgb'), dtype=np.uint8).reshape(h, w, 3)
    out = []
    for case in meta['cases']:
        l, t, r, b = upstream_box(w, h, case['bbox'], case['scale'])
        patch = resize_linear(rgb[t:b + 1, l:r + 1], 80, 80)[:, :, ::-1]  # BGR, like cv2.imread input
        out.append({**case, 'box': [l, t, r, b], 'sum': float(patch.sum()),
                    'sample': [float(v) for v in patch[::16, ::16].reshape(-1)]})
    return out


def write_strided_pth():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    sd = OrderedDict([
        ('plain', base.clone()),
        ('transposed', base.t()),  # strides (1, 6) into the shared storage
        ('offset', base[1:, 2:]),  # offset 8, strides (6, 1)
        ('steps', torch.zeros(())),
        ('num_batches_tracked', torch.tensor(7)),  # int64: skipped by the reader
    ])
    torch.save(sd, os.path.join(TESTDATA, 'strided.pth'), _use_new_zipfile_serialization=True)
    return {k: {'shape': list(v.shape), 'values': v.contiguous().reshape(-1).tolist()}
            for k, v in sd.items() if v.dtype == torch.float32}


def main():
    torch.set_grad_enabled(False)
    os.makedirs(TESTDATA, exist_ok=True)
    inputs = OrderedDict((f'lcg-{seed}', lcg_bgr(seed)) for seed in (1, 2024))
    for name in sorted(os.listdir(TESTDATA)):
        if name.endswith('.bgr'):
            raw = np.fromfile(os.path.join(TESTDATA, name), dtype=np.uint8)
            inputs[name] = raw.reshape(80, 80, 3).astype(np.float32)
    result = {'torch': torch.__version__, 'models': {}}
    for variant in MODELS:
        net = load(variant)
        per = {}
        for name, hwc in inputs.items():
            x = torch.from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))[None]  # NCHW, no /255
            taps = {}
            logits = net(x, taps)
            per[name] = {
                'logits': logits[0].tolist(),
                'softmax': torch.softmax(logits, 1)[0].tolist(),
                'stages': {k: stats(v) for k, v in taps.items()},
            }
        result['models'][variant] = {'file': MODELS[variant], 'outputs': per}
    result['crops'] = crop_check()
    result['strided'] = write_strided_pth()
    with open(os.path.join(HERE, 'reference-outputs.json'), 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    for variant, m in result['models'].items():
        for name, o in m['outputs'].items():
            print(variant, name, ' '.join(f'{v:.4f}' for v in o['softmax']))


if __name__ == '__main__':
    main()
