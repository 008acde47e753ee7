import { h } from './dom.ts';

/** LOW / NORMAL / HIGH, as compare, search and liveness accept them; NORMAL is the API's default. */
export function levelSelect(label: string, describe: (level: string) => string = (l) => l) {
  return h(
    'select',
    { 'aria-label': label },
    ...['LOW', 'NORMAL', 'HIGH'].map((l) => h('option', { value: l, selected: l === 'NORMAL' }, describe(l))),
  );
}

/** The match levels with the false-match rate each is calibrated to (ACCURACY.md). */
export const matchLevelSelect = () =>
  levelSelect(
    'Match level',
    (l) => `${l} (${{ LOW: '1 in 100', NORMAL: '1 in 1,000', HIGH: '1 in 10,000' }[l]} false matches)`,
  );

/** "1 in 1,000 false matches" for a response's falseMatchRate, or why there is none. */
export const falseMatchText = (rate: number | null) =>
  rate === null
    ? 'custom threshold: no calibrated false-match rate'
    : `1 in ${Math.round(1 / rate).toLocaleString('en')} false matches`;
