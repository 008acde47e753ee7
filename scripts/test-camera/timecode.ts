import sharp from 'sharp';

/**
 * Reads the production time that `rtsp_server.py --timecode` paints into each frame: a row of
 * blocks one 48th of the frame wide, one block above the bottom edge, starting one block from the
 * left: a white and a black reference block, then 42 bits of ms since the epoch, MSB first.
 * Works at any scale because every position is relative to the frame width.
 */
const BLOCKS_PER_WIDTH = 48;
const BITS = 42;

export async function readTimecode(jpeg: Buffer): Promise<number | undefined> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  const block = info.width / BLOCKS_PER_WIDTH;
  const y = Math.round(info.height - 1.5 * block);
  const luma = (i: number) => {
    const x = Math.round(block * (1.5 + i));
    let sum = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) sum += data[(y + dy) * info.width + x + dx]!;
    return sum / 9;
  };
  const white = luma(0);
  const black = luma(1);
  if (white - black < 100) return undefined; // no timecode in this frame
  const threshold = (white + black) / 2;
  let ms = 0;
  for (let i = 0; i < BITS; i++) ms = ms * 2 + (luma(2 + i) > threshold ? 1 : 0);
  return ms;
}
