import { h } from './dom.ts';

/** Draws an image with face boxes, landmarks and labels on a canvas that scales with the page. */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Mark {
  box: Box;
  landmarks?: Record<string, Point>;
  label?: string;
  color?: string;
}

export const COLORS = [
  '#22c55e',
  '#3b82f6',
  '#f59e0b',
  '#ec4899',
  '#14b8a6',
  '#a855f7',
  '#ef4444',
  '#84cc16',
];

const loadImage = (url: string) =>
  new Promise<HTMLImageElement>((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The photo could not be displayed.'));
    img.src = url;
  });

/**
 * `imageWidth`/`imageHeight` are the API's (EXIF-oriented) pixel sizes; the browser orients the image
 * the same way when drawing it, so boxes only need scaling to the canvas.
 */
export async function overlay(
  url: string,
  imageWidth: number,
  imageHeight: number,
  marks: Mark[],
): Promise<HTMLCanvasElement> {
  const img = await loadImage(url);
  // Big photos are drawn at up to 1600 px: plenty for a screen, light on a phone.
  const scale = Math.min(1, 1600 / Math.max(imageWidth, imageHeight));
  const canvas = h('canvas', {
    class: 'overlay',
    width: Math.round(imageWidth * scale),
    height: Math.round(imageHeight * scale),
    'data-marks': marks.length,
  });
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  // The canvas is shown at the content's width: size lines and labels in screen pixels (2 px, 15 px).
  const shownWidth = document.querySelector('main')?.clientWidth || canvas.width;
  const unit = (2 * canvas.width) / shownWidth;
  ctx.lineWidth = unit;
  ctx.font = `600 ${Math.round(unit * 7.5)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  marks.forEach((mark, i) => {
    const color = mark.color ?? COLORS[i % COLORS.length]!;
    const { x, y, width, height } = mark.box;
    ctx.strokeStyle = color;
    ctx.strokeRect(x * scale, y * scale, width * scale, height * scale);
    ctx.fillStyle = color;
    for (const point of Object.values(mark.landmarks ?? {})) {
      ctx.beginPath();
      ctx.arc(point.x * scale, point.y * scale, unit * 1.2, 0, Math.PI * 2);
      ctx.fill();
    }
    if (mark.label) {
      const pad = unit * 2;
      const textHeight = unit * 7.5;
      const textWidth = ctx.measureText(mark.label).width;
      // Above the box when there is room, else inside its top edge.
      const top = y * scale - textHeight - pad * 2 >= 0 ? y * scale - textHeight - pad * 2 : y * scale;
      const left = Math.min(x * scale, canvas.width - textWidth - pad * 2);
      ctx.fillRect(Math.max(0, left), top, textWidth + pad * 2, textHeight + pad * 2);
      ctx.fillStyle = '#fff';
      ctx.fillText(mark.label, Math.max(0, left) + pad, top + pad);
    }
  });
  return canvas;
}
