import * as tf from '@tensorflow/tfjs-core';

/**
 * dlib's face recognition ResNet (29 conv layers, 128-d output, 99.38 % on LFW), with the weights
 * shipped by @vladmandic/face-api (`face_recognition_model`). That package's network code needs the full
 * tfjs bundle, so the forward pass is re-stated here with tfjs-core ops only; each conv + bias + scale
 * layer is folded into one fused convolution at load time.
 *
 * Input: a 150x150 RGB face chip (0..255) aligned like dlib's `get_face_chip_details(.., 150, 0.25)`.
 */
export const CHIP_SIZE = 150;
const MEAN_RGB = [122.782, 117.001, 104.298];

interface ConvParams {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface Residual {
  conv1: ConvParams;
  conv2: ConvParams;
}

export interface RecognitionNet {
  /** [n, 150, 150, 3] float32 0..255 -> [n, 128]. */
  embed(chips: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

const RESIDUALS = [
  'conv32_1',
  'conv32_2',
  'conv32_3',
  'conv64_down',
  'conv64_1',
  'conv64_2',
  'conv64_3',
  'conv128_down',
  'conv128_1',
  'conv128_2',
  'conv256_down',
  'conv256_1',
  'conv256_2',
  'conv256_down_out',
];

/** Builds the network from face-api's decoded weights (takes ownership of and disposes `w`). */
export function createRecognitionNet(w: tf.NamedTensorMap): RecognitionNet {
  const get = <T extends tf.Tensor>(name: string) => {
    const t = w[name];
    if (!t) throw new Error(`Recognition model lacks weight ${name}`);
    return t as T;
  };
  // conv(x) * s + b  ==  conv(x, filter * s) + (bias * s + b)
  const fold = (prefix: string): ConvParams =>
    tf.tidy(() => {
      const s = get<tf.Tensor1D>(`${prefix}/scale/weights`);
      return {
        filter: tf.mul<tf.Tensor4D>(get<tf.Tensor4D>(`${prefix}/conv/filters`), s),
        bias: tf.add<tf.Tensor1D>(
          tf.mul(get<tf.Tensor1D>(`${prefix}/conv/bias`), s),
          get<tf.Tensor1D>(`${prefix}/scale/biases`),
        ),
      };
    });
  const stem = fold('conv32_down');
  const blocks = new Map<string, Residual>(
    RESIDUALS.map((p) => [p, { conv1: fold(`${p}/conv1`), conv2: fold(`${p}/conv2`) }]),
  );
  const fc = tf.clone(get<tf.Tensor2D>('fc'));
  const mean = tf.tensor1d(MEAN_RGB);
  tf.dispose(Object.values(w));

  const conv = (
    x: tf.Tensor4D,
    p: ConvParams,
    stride: 1 | 2,
    relu: boolean,
    pad: 'same' | 'valid' = 'same',
  ) =>
    tf.fused.conv2d({
      x,
      filter: p.filter,
      strides: stride,
      pad,
      bias: p.bias,
      activation: relu ? 'relu' : 'linear',
    });

  const residual = (x: tf.Tensor4D, p: Residual): tf.Tensor4D =>
    tf.relu(tf.add<tf.Tensor4D>(conv(conv(x, p.conv1, 1, true), p.conv2, 1, false), x));

  const residualDown = (x: tf.Tensor4D, p: Residual): tf.Tensor4D => {
    let out = conv(conv(x, p.conv1, 2, true, 'valid'), p.conv2, 1, false);
    let pooled = tf.avgPool(x, 2, 2, 'valid');
    if (pooled.shape[1] !== out.shape[1]) {
      // 'valid' striding loses a row and column that average pooling keeps: pad with zeros like dlib.
      out = tf.pad(out, [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ]);
    }
    if (pooled.shape[3] !== out.shape[3])
      pooled = tf.pad(pooled, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, out.shape[3] - pooled.shape[3]],
      ]);
    return tf.relu(tf.add<tf.Tensor4D>(pooled, out));
  };

  return {
    embed: (chips) =>
      tf.tidy(() => {
        let x = tf.maxPool(conv(tf.div(tf.sub(chips, mean), 255), stem, 2, true, 'valid'), 3, 2, 'valid');
        for (const [name, p] of blocks) x = name.includes('down') ? residualDown(x, p) : residual(x, p);
        return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, fc);
      }),
    dispose: () => {
      tf.dispose([stem.filter, stem.bias, fc, mean]);
      for (const b of blocks.values())
        tf.dispose([b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]);
    },
  };
}
