/** The parts of untyped packages the captcha uses. */

declare module 'opentype.js' {
  export interface Font {
    ascender: number;
    descender: number;
  }
  export function parse(buffer: ArrayBuffer): Font;
}

declare module 'svg-captcha/lib/ch-to-path.js' {
  import type { Font } from 'opentype.js';
  /**
   * svg-captcha's glyph renderer: the SVG path data of `ch` centred horizontally on x and vertically
   * on y, its points jittered slightly.
   */
  export default function chToPath(
    ch: string,
    options: { x: number; y: number; fontSize: number; font: Font; ascender: number; descender: number },
  ): string;
}
