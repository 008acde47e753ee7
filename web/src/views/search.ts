import { fmt, h, show } from '../dom.ts';
import { action } from '../errors.ts';
import { COLORS, overlay, type Box } from '../overlay.ts';
import { photoPicker } from '../photo.ts';
import { falseMatchText, matchLevelSelect } from '../levels.ts';
import type { ViewFactory } from './view.ts';

interface SearchResult {
  matchLevel: string | null;
  falseMatchRate: number | null;
  faces: {
    box: Box;
    decision: 'MATCH' | 'AMBIGUOUS' | 'NO_MATCH';
    matches: { personId: string; name: string; similarity: number }[];
  }[];
}

export const searchView: ViewFactory = (api) => {
  const picker = photoPicker(api, 'Group photo');
  const level = matchLevelSelect();
  const threshold = h('input', {
    type: 'number',
    min: 0,
    max: 1,
    step: 0.05,
    placeholder: 'from level',
    'aria-label': 'Threshold',
    inputmode: 'decimal',
  });
  const run = h('button', { type: 'button', class: 'primary' }, 'Search');
  const errors = h('div');
  const result = h('div', { class: 'result', 'data-testid': 'search-result' });

  action(run, errors, async () => {
    const photo = picker.photo();
    const res = await api.post<SearchResult>('/v1/search', {
      uploadId: photo.upload.uploadId,
      topK: 3,
      maxFaces: 20,
      ...(threshold.value ? { threshold: Number(threshold.value) } : { matchLevel: level.value }),
    });
    // Only a MATCH names a face; an AMBIGUOUS one lists its candidates but stays unnamed.
    const names = res.faces.map((f) => (f.decision === 'MATCH' ? f.matches[0]!.name : 'unknown'));
    const named = (i: number) => names[i] !== 'unknown';
    result.dataset.names = JSON.stringify(names);
    const canvas = await overlay(
      photo.url,
      photo.upload.width!,
      photo.upload.height!,
      res.faces.map((f, i) => ({
        box: f.box,
        label: names[i],
        color: named(i) ? COLORS[i % COLORS.length] : '#9ca3af',
      })),
    );
    const known = names.filter((n) => n !== 'unknown').length;
    show(
      result,
      h(
        'p',
        { class: 'summary' },
        `${res.faces.length} faces, ${known} recognised (${res.matchLevel ?? 'threshold'}: ${falseMatchText(res.falseMatchRate)})`,
      ),
      canvas,
      h(
        'ol',
        { class: 'faces' },
        ...res.faces.map((f, i) =>
          h(
            'li',
            {
              class: 'face',
              'data-name': names[i],
              'data-box': [f.box.x, f.box.y, f.box.width, f.box.height].join(','),
              'data-decision': f.decision,
              style: `--mark: ${named(i) ? COLORS[i % COLORS.length] : '#9ca3af'}`,
            },
            h('b', {}, names[i]),
            f.decision === 'AMBIGUOUS' ? ' not sure, too close to call:' : '',
            f.matches.length
              ? ` ${f.matches.map((m) => `${m.name} ${fmt(m.similarity)}`).join(', ')}`
              : ' no enrolled person is similar enough',
          ),
        ),
      ),
    );
  });

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'Search'),
      h('p', { class: 'hint' }, 'Names every face of a photo from your library (People).'),
      picker.element,
      h('div', { class: 'row' }, level, h('label', { class: 'inline' }, 'or threshold ', threshold), run),
      errors,
      result,
    ),
    dispose: picker.stop,
  };
};
