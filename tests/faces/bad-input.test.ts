import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FacegateClient } from '../../shared/client/client.ts';
import { pngClaiming } from '../../shared/image/test-images.ts';
import { urls } from '../support/stack.ts';
import { fixture, fixtureBase64 } from '../support/fixtures.ts';

const origin = new URL(urls.api).origin;

test('bad input never yields a 5xx, and the process stays healthy', async () => {
  const client = await FacegateClient.login(origin, `test:barrage-${process.pid}`);
  const jpeg = fixture('misc/faces.jpg');
  const onePixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const cases: [string, unknown, number, string][] = [
    ['empty string', { image: '' }, 400, 'VALIDATION_FAILED'],
    ['base64 garbage', { image: '!!!not base64@@@' }, 415, 'UNSUPPORTED_IMAGE'],
    [
      'text declared as an image',
      { image: `data:image/jpeg;base64,${Buffer.from('hello, I am text').toString('base64')}` },
      415,
      'UNSUPPORTED_IMAGE',
    ],
    [
      'truncated JPEG',
      { image: jpeg.subarray(0, Math.floor(jpeg.length / 3)).toString('base64') },
      415,
      'UNSUPPORTED_IMAGE',
    ],
    ['30000x30000 PNG bomb', { image: pngClaiming(30000, 30000).toString('base64') }, 413, 'IMAGE_TOO_LARGE'],
    ['wrong field type', { image: 12345 }, 400, 'VALIDATION_FAILED'],
    [
      'both image and uploadId',
      { image: fixtureBase64('amy/amy1.png'), uploadId: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    ['neither image nor uploadId', {}, 400, 'VALIDATION_FAILED'],
    [
      'maxFaces out of range',
      { image: fixtureBase64('amy/amy1.png'), maxFaces: 0 },
      400,
      'VALIDATION_FAILED',
    ],
    ['unknown uploadId', { uploadId: 'upl_doesnotexist' }, 404, 'NOT_FOUND'],
    ['huge body', { image: 'A'.repeat(8 * 1024 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
  ];
  for (const [name, body, status, code] of cases) {
    const res = await client.post('/v1/faces/detect', body);
    assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, code, name);
  }
  const tiny = await client.post('/v1/faces/detect', { image: onePixel.toString('base64') });
  assert.equal(tiny.status, 200, '1x1 image: no face is not an error');
  assert.equal(tiny.body.faceCount, 0);

  const normal = await client.post('/v1/faces/detect', { image: fixtureBase64('amy/amy2.png') });
  assert.equal(normal.status, 200);
  assert.equal(normal.body.faceCount, 1);
  assert.equal((await fetch(`${urls.api}/health`)).status, 200);
});

test('the 31st face request within a minute is rate limited with Retry-After', async () => {
  const client = await FacegateClient.login(origin, `test:ratelimit-${process.pid}`);
  const image = fixtureBase64('misc/white.png');
  const statuses: number[] = [];
  let limited: Awaited<ReturnType<typeof client.post>> | undefined;
  for (let i = 0; i < 31; i++) {
    const res = await client.post('/v1/faces/detect', { image });
    statuses.push(res.status);
    if (res.status === 429) limited = res;
  }
  // A minute boundary during the loop would reset the window; at most one extra success is possible.
  assert.ok(statuses.filter((s) => s === 200).length >= 30);
  if (limited) {
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
  } else {
    assert.equal(statuses.length, 31);
  }
});
