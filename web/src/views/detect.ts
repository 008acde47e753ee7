import { fmt, h, show } from '../dom.ts';
import { action } from '../errors.ts';
import { COLORS, overlay } from '../overlay.ts';
import { photoPicker } from '../photo.ts';
import type { Face, ViewFactory } from './view.ts';

interface DetectResult {
  imageWidth: number;
  imageHeight: number;
  faceCount: number;
  faces: Face[];
  cached: boolean;
}

const attributes = (f: Face) =>
  `${f.gender.value}, ~${Math.round(f.age)} y, ${f.emotion.value}; yaw ${Math.round(f.pose.yaw)}°, pitch ${Math.round(
    f.pose.pitch,
  )}°, roll ${Math.round(f.pose.roll)}°; sharpness ${fmt(f.quality.sharpness)}, brightness ${fmt(f.quality.brightness)}`;

export const detectView: ViewFactory = (api) => {
  const picker = photoPicker(api, 'Photo');
  const maxFaces = h('input', { type: 'number', min: 1, max: 50, value: 10, inputmode: 'numeric' });
  const run = h('button', { type: 'button', class: 'primary' }, 'Detect faces');
  const errors = h('div');
  const result = h('div', { class: 'result', 'data-testid': 'detect-result' });

  action(run, errors, async () => {
    const photo = picker.photo();
    const res = await api.post<DetectResult>('/v1/faces/detect', {
      uploadId: photo.upload.uploadId,
      maxFaces: Number(maxFaces.value) || 10,
    });
    const canvas = await overlay(
      photo.url,
      res.imageWidth,
      res.imageHeight,
      res.faces.map((f, i) => ({ box: f.box, landmarks: f.landmarks, label: `${i + 1}` })),
    );
    result.dataset.faceCount = String(res.faceCount);
    show(
      result,
      h(
        'p',
        { class: 'summary' },
        `${res.faceCount} ${res.faceCount === 1 ? 'face' : 'faces'} in ${res.imageWidth}×${res.imageHeight}`,
        res.cached && h('span', { class: 'badge' }, 'cached'),
      ),
      canvas,
      h(
        'ol',
        { class: 'faces' },
        ...res.faces.map((f, i) =>
          h(
            'li',
            { class: 'face', style: `--mark: ${COLORS[i % COLORS.length]}` },
            h('b', {}, `${i + 1}`),
            ` score ${fmt(f.score)} · ${attributes(f)}`,
          ),
        ),
      ),
    );
  });

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'Detect faces'),
      h('p', { class: 'hint' }, 'Boxes, landmarks and attributes of every face in a photo.'),
      picker.element,
      h('div', { class: 'row' }, h('label', { class: 'inline' }, 'Max faces ', maxFaces), run),
      errors,
      result,
    ),
    dispose: picker.stop,
  };
};
