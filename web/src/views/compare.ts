import { fmt, h, show } from '../dom.ts';
import { action } from '../errors.ts';
import { overlay, type Box } from '../overlay.ts';
import { photoPicker, type Photo } from '../photo.ts';
import { falseMatchText, matchLevelSelect } from '../levels.ts';
import type { ViewFactory } from './view.ts';

interface CompareResult {
  similarity: number;
  match: boolean;
  threshold: number;
  matchLevel: string;
  falseMatchRate: number;
  faceA: { box: Box };
  faceB: { box: Box };
}

export const compareView: ViewFactory = (api) => {
  const a = photoPicker(api, 'Photo A');
  const b = photoPicker(api, 'Photo B');
  const level = matchLevelSelect();
  const run = h('button', { type: 'button', class: 'primary' }, 'Compare');
  const errors = h('div');
  const result = h('div', { class: 'result', 'data-testid': 'compare-result' });

  const withBox = (photo: Photo, box: Box, color: string) =>
    overlay(photo.url, photo.upload.width!, photo.upload.height!, [{ box, color }]);

  action(run, errors, async () => {
    const [photoA, photoB] = [a.photo(), b.photo()];
    const res = await api.post<CompareResult>('/v1/faces/compare', {
      a: { uploadId: photoA.upload.uploadId },
      b: { uploadId: photoB.upload.uploadId },
      matchLevel: level.value,
    });
    const color = res.match ? '#22c55e' : '#ef4444';
    result.dataset.match = String(res.match);
    show(
      result,
      h(
        'p',
        { class: `verdict ${res.match ? 'yes' : 'no'}` },
        res.match ? 'Same person' : 'Different people',
        h(
          'span',
          {},
          ` similarity ${fmt(res.similarity)} (threshold ${fmt(res.threshold)}, ${res.matchLevel}: ${falseMatchText(res.falseMatchRate)})`,
        ),
      ),
      h(
        'div',
        { class: 'pair' },
        await withBox(photoA, res.faceA.box, color),
        await withBox(photoB, res.faceB.box, color),
      ),
    );
  });

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'Compare two faces'),
      h('p', { class: 'hint' }, 'The largest face of each photo is compared.'),
      h('div', { class: 'pair' }, a.element, b.element),
      h('div', { class: 'row' }, level, run),
      errors,
      result,
    ),
    dispose: () => {
      a.stop();
      b.stop();
    },
  };
};
