import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  CAPTCHA_ALPHABET,
  CAPTCHA_HEIGHT,
  CAPTCHA_LENGTH,
  CAPTCHA_WIDTH,
  randomCaptchaText,
  renderCaptcha,
} from './render.ts';

describe('captcha text', () => {
  it('has no characters that distortion makes look alike', () => {
    for (const ch of '0OQD1IJL2Z75S8B6GUV4') assert.ok(!CAPTCHA_ALPHABET.includes(ch), ch);
  });

  it('draws from the alphabet only, in every allowed length', () => {
    const texts = Array.from({ length: 400 }, randomCaptchaText);
    assert.ok(texts.every((t) => [...t].every((ch) => CAPTCHA_ALPHABET.includes(ch))));
    const lengths = new Set(texts.map((t) => t.length));
    assert.deepEqual([...lengths].sort(), [CAPTCHA_LENGTH.min, CAPTCHA_LENGTH.max]);
    assert.equal(new Set(texts.join('')).size, CAPTCHA_ALPHABET.length);
  });
});

describe('captcha image', () => {
  it('is a PNG of the captcha size, distorted anew each time for the same text', async () => {
    const [a, b] = await Promise.all([renderCaptcha('ACE39'), renderCaptcha('ACE39')]);
    const meta = await sharp(a).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', CAPTCHA_WIDTH, CAPTCHA_HEIGHT]);
    const [pa, pb] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
    const differing = pa.reduce((n, v, i) => n + (Math.abs(v - pb[i]!) > 40 ? 1 : 0), 0);
    assert.ok(differing > pa.length * 0.2, `only ${differing} of ${pa.length} samples differ`);
  });

  it('draws the text in strong contrast to its ground, dark on light or light on dark', async () => {
    const polarities = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const { data, info } = await sharp(await renderCaptcha('HMNPRTW'))
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const share = (test: (v: number) => boolean) => data.filter(test).length / (info.width * info.height);
      const [dark, light] = [share((v) => v < 90), share((v) => v > 170)];
      // The ground covers most of the image, the text a tenth to a third of it.
      const [ground, text, polarity] =
        light > dark ? [light, dark, 'dark on light'] : [dark, light, 'light on dark'];
      assert.ok(ground > 0.45 && text > 0.06 && text < 0.4, `${polarity}: ground ${ground}, text ${text}`);
      polarities.add(polarity);
    }
    assert.equal(polarities.size, 2, 'both polarities in 30 captchas');
  });

  it('as SVG, wraps the raster: no glyph outlines for a solver to match', async () => {
    const svg = (await renderCaptcha('TWX39A', 'svg')).toString();
    const size = `width="${CAPTCHA_WIDTH}" height="${CAPTCHA_HEIGHT}"`;
    assert.ok(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" ${size}`));
    assert.match(svg, new RegExp(`<image ${size} href="data:image/png;base64,[A-Za-z0-9+/=]+"/></svg>$`));
    assert.doesNotMatch(svg, /<path/);
  });
});
