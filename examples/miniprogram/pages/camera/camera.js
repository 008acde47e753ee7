import { client, contentTypeOf, describe, fileSize } from '../../utils/facegate.js';

const COLORS = ['#22c55e', '#3b82f6', '#f59e0b', '#ec4899', '#14b8a6', '#a855f7', '#ef4444', '#84cc16'];

/** Boxes as percentages of the photo, so they sit on the faces at any display size. */
const toBoxes = (faces, width, height, labels) =>
  faces.map((face, i) => ({
    left: (face.box.x / width) * 100,
    top: (face.box.y / height) * 100,
    width: (face.box.width / width) * 100,
    height: (face.box.height / height) * 100,
    color: labels[i] === 'unknown' ? '#9ca3af' : COLORS[i % COLORS.length],
    label: labels[i],
  }));

Page({
  data: {
    position: 'front',
    photo: '',
    uploading: false,
    progress: 0,
    uploadId: '',
    width: 0,
    height: 0,
    busy: '',
    boxes: [],
    lines: [],
    error: '',
  },

  flip() {
    this.setData({ position: this.data.position === 'front' ? 'back' : 'front' });
  },

  onCameraError() {
    this.setData({
      error: 'The camera is not available: allow it in the settings, or choose a photo from the album.',
    });
  },

  takePhoto() {
    wx.createCameraContext().takePhoto({
      quality: 'high',
      success: (res) => this.upload(res.tempImagePath),
      fail: (err) => this.setData({ error: err.errMsg }),
    });
  },

  choose() {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sizeType: ['compressed'],
      success: (res) => this.upload(res.tempFiles[0].tempFilePath),
    });
  },

  retake() {
    this.setData({ photo: '', uploadId: '', boxes: [], lines: [], error: '', uploading: false });
  },

  /** Straight to S3 with a progress bar; the API then validates the image. */
  async upload(path) {
    this.setData({
      photo: path,
      uploading: true,
      progress: 0,
      uploadId: '',
      boxes: [],
      lines: [],
      error: '',
    });
    try {
      const upload = await client.uploadImage(
        { path, size: await fileSize(path), contentType: contentTypeOf(path) },
        (progress) => this.setData({ progress }),
      );
      this.setData({ uploadId: upload.uploadId, width: upload.width, height: upload.height, progress: 100 });
    } catch (error) {
      this.setData({ error: describe(error) });
    } finally {
      this.setData({ uploading: false });
    }
  },

  async detect() {
    await this.run('detect', async () => {
      const res = await client.call('POST', '/v1/faces/detect', { body: { uploadId: this.data.uploadId } });
      const labels = res.faces.map((_, i) => String(i + 1));
      this.setData({
        boxes: toBoxes(res.faces, res.imageWidth, res.imageHeight, labels),
        lines: res.faces.length
          ? res.faces.map((f, i) => ({
              color: COLORS[i % COLORS.length],
              text: `${i + 1}: ${f.gender.value}, ~${Math.round(f.age)}, ${f.emotion.value}, score ${f.score.toFixed(2)}`,
            }))
          : [{ color: '#9ca3af', text: 'No face found.' }],
      });
    });
  },

  async search() {
    await this.run('search', async () => {
      const res = await client.call('POST', '/v1/search', {
        body: { uploadId: this.data.uploadId, topK: 3 },
      });
      // Only a MATCH names a face; an AMBIGUOUS one lists its candidates but stays unnamed.
      const labels = res.faces.map((f) => (f.decision === 'MATCH' ? f.matches[0].name : 'unknown'));
      this.setData({
        boxes: toBoxes(res.faces, this.data.width, this.data.height, labels),
        lines: res.faces.map((f, i) => ({
          color: labels[i] === 'unknown' ? '#9ca3af' : COLORS[i % COLORS.length],
          text: f.matches.length
            ? (f.decision === 'AMBIGUOUS' ? 'not sure: ' : '') +
              f.matches.map((m) => `${m.name} ${m.similarity.toFixed(2)}`).join(', ')
            : 'unknown: nobody in your library is similar enough',
        })),
      });
    });
  },

  async run(name, action) {
    this.setData({ busy: name, error: '' });
    try {
      await action();
    } catch (error) {
      this.setData({ error: describe(error) });
    } finally {
      this.setData({ busy: '' });
    }
  },
});
