import sharp from 'sharp';

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A region of an image as JPEG, cut from the upright image (EXIF orientation applied) and without
 * metadata; `maxPixels` guards the decode like every other image read.
 */
export const jpegCrop = (bytes: Buffer, region: Region, maxPixels: number): Promise<Buffer> =>
  sharp(bytes, { limitInputPixels: maxPixels }).rotate().extract(region).jpeg({ quality: 90 }).toBuffer();
