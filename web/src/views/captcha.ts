import { h, show } from '../dom.ts';
import { action } from '../errors.ts';
import type { ViewFactory } from './view.ts';

/** GET /v1/captcha and POST /v1/captcha/verify (public endpoints, signed anyway by the client). */
export const captchaView: ViewFactory = (api) => {
  let captchaId: string | undefined;
  const image = h('img', { class: 'captcha', alt: 'captcha', hidden: true });
  const answer = h('input', {
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    placeholder: 'Characters in the image',
    'aria-label': 'Answer',
  });
  const fresh = h('button', { type: 'button' }, 'New captcha');
  const check = h('button', { type: 'submit', class: 'primary' }, 'Check');
  const errors = h('div');
  const result = h('div', { class: 'result', 'data-testid': 'captcha-result' });

  async function load() {
    const res = await api.get<{ captchaId: string; image: string; expiresIn: number }>('/v1/captcha', {
      format: 'png',
    });
    captchaId = res.captchaId;
    image.src = res.image;
    image.hidden = false;
    answer.value = '';
    show(result, h('p', { class: 'muted' }, `Expires in ${Math.round(res.expiresIn / 60)} minutes.`));
  }

  action(fresh, errors, load);
  action(check, errors, async () => {
    if (!captchaId) throw new Error('Load a captcha first.');
    const res = await api.post<{ valid: boolean; captchaToken: string }>('/v1/captcha/verify', {
      captchaId,
      answer: answer.value.trim(),
    });
    result.dataset.valid = String(res.valid);
    show(
      result,
      h('p', { class: 'verdict yes' }, 'Correct'),
      h('p', { class: 'muted token' }, `captchaToken ${res.captchaToken.slice(0, 24)}…`),
    );
  });
  const form = h('form', { class: 'row' }, answer, check);
  form.addEventListener('submit', (event) => event.preventDefault());
  fresh.click();

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'Captcha'),
      h('p', { class: 'hint' }, 'What a sign-up form shows; three wrong answers use a captcha up.'),
      h('div', { class: 'captcha-box' }, image, fresh),
      form,
      errors,
      result,
    ),
  };
};
