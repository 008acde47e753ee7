import sharp from 'sharp';

/** An SVG document rasterised at its own size: packed 8-bit RGB, row-major (alpha dropped). */
export const svgToRgb = (svg: string): Promise<Buffer> =>
  sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();

/** Packed 8-bit RGB pixels as a PNG. */
export const rgbToPng = (rgb: Buffer, width: number, height: number): Promise<Buffer> =>
  sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
