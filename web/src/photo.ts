import type { Api } from './api.ts';
import { h, show } from './dom.ts';
import { errorView } from './errors.ts';
import { UPLOAD_TYPES, uploadImage, type Upload } from './upload.ts';

/**
 * Choose a photo (file, or the phone's camera through the file input) or take one with the webcam,
 * then upload it straight to S3 with a progress bar. Face calls use the resulting uploadId.
 */

export interface Photo {
  upload: Upload;
  /** Object URL of the bytes that were uploaded, for drawing results over them. */
  url: string;
  name: string;
}

export interface PhotoPicker {
  element: HTMLElement;
  /** The uploaded photo; throws a readable error when there is none yet. */
  photo(): Photo;
  stop(): void;
}

/** Webcam frame as JPEG. */
function capture(video: HTMLVideoElement): Promise<Blob> {
  const canvas = h('canvas', { width: video.videoWidth, height: video.videoHeight });
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('Could not capture a frame.'))),
      'image/jpeg',
      0.92,
    ),
  );
}

/** Images the API does not take (GIF, BMP, HEIC where the browser decodes it) are re-encoded as JPEG. */
async function asUploadable(file: File): Promise<Blob> {
  if (UPLOAD_TYPES.includes(file.type)) return file;
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new Error(`${file.name} is not an image this browser can read: choose a JPEG, PNG or WebP.`);
  });
  const canvas = h('canvas', { width: bitmap.width, height: bitmap.height });
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob!), 'image/jpeg', 0.92));
}

export function photoPicker(
  api: Api,
  label: string,
  onReady: (photo: Photo) => void = () => {},
): PhotoPicker {
  let current: Photo | undefined;
  let stream: MediaStream | undefined;

  const input = h('input', {
    type: 'file',
    accept: 'image/jpeg,image/png,image/webp,image/*',
    class: 'visually-hidden',
  });
  const video = h('video', { autoplay: true, playsinline: true, muted: true });
  const shoot = h('button', { type: 'button', class: 'primary' }, 'Take photo');
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const cameraBox = h(
    'div',
    { class: 'webcam', hidden: true },
    video,
    h('div', { class: 'row' }, shoot, cancel),
  );
  const webcamButton = h('button', { type: 'button' }, 'Use webcam');
  const bar = h('progress', { max: 100, value: 0 });
  const percent = h('span', { class: 'percent' }, '');
  const progress = h('div', { class: 'progress', hidden: true }, bar, percent);
  const status = h('div', { class: 'status' });
  const preview = h('img', { class: 'thumb', alt: '', hidden: true });
  const element = h(
    'div',
    { class: 'picker', 'data-state': 'empty' },
    h('div', { class: 'picker-label' }, label),
    h('div', { class: 'row' }, h('label', { class: 'button' }, 'Choose photo', input), webcamButton),
    cameraBox,
    h('div', { class: 'picker-body' }, preview, h('div', { class: 'picker-info' }, progress, status)),
  );

  const setProgress = (fraction: number) => {
    const value = Math.round(fraction * 100);
    bar.value = value;
    percent.textContent = `${value}%`;
  };

  async function use(blob: Blob, name: string) {
    element.dataset.state = 'uploading';
    if (current) URL.revokeObjectURL(current.url);
    current = undefined;
    progress.hidden = false;
    setProgress(0);
    const url = URL.createObjectURL(blob);
    preview.src = url;
    preview.hidden = false;
    show(status, `Uploading ${name}…`);
    try {
      const upload = await uploadImage(api, blob, setProgress);
      current = { upload, url, name };
      element.dataset.state = 'uploaded';
      element.dataset.uploadId = upload.uploadId;
      show(
        status,
        h('span', { class: 'ok' }, '✓ Uploaded'),
        ` ${upload.width}×${upload.height} ${upload.format ?? ''}`,
      );
      onReady(current);
    } catch (error) {
      element.dataset.state = 'failed';
      progress.hidden = true;
      show(status, errorView(error));
    }
  }

  function stopWebcam() {
    stream?.getTracks().forEach((track) => track.stop());
    stream = undefined;
    video.srcObject = null;
    cameraBox.hidden = true;
  }

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      await use(await asUploadable(file), file.name);
    } catch (error) {
      show(status, errorView(error));
    }
  });

  webcamButton.addEventListener('click', async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      show(status, errorView(new Error('This browser offers no camera here (it needs HTTPS or localhost).')));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
      video.srcObject = stream;
      cameraBox.hidden = false;
    } catch (error) {
      show(status, errorView(new Error(`The camera is not available: ${(error as Error).message}`)));
    }
  });
  shoot.addEventListener('click', async () => {
    if (!video.videoWidth) return; // no frame yet
    const blob = await capture(video);
    stopWebcam();
    await use(blob, 'webcam photo');
  });
  cancel.addEventListener('click', stopWebcam);

  return {
    element,
    photo() {
      if (!current)
        throw new Error(
          `${label}: choose or take a photo first${element.dataset.state === 'uploading' ? ' (still uploading)' : ''}.`,
        );
      return current;
    },
    stop: stopWebcam,
  };
}
