import { client, describe } from '../../utils/facegate.js';

/**
 * Active liveness, as in the web console: POST /v1/liveness/sessions gives 2-3 actions, the user does
 * them one prompt at a time while the camera takes frames (2 looking straight, then FRAMES_PER_ACTION
 * per prompt), and POST …/verify judges the burst. `takePhoto` is slow on many phones (~0.3 s), so
 * frames are taken back to back; each is shrunk to 640 px JPEG to stay under the 300 KB frame limit.
 * The front camera's preview is mirrored, the photos are not; prompts name the user's own left/right.
 */

const PROMPTS = {
  TURN_LEFT: 'Turn your head to your left',
  TURN_RIGHT: 'Turn your head to your right',
  BLINK: 'Close your eyes, then open them',
  OPEN_MOUTH: 'Open your mouth wide',
  NOD: 'Nod: look down, then back up',
};

const REASONS = {
  ACTION_MISSING: 'An action was not seen.',
  ACTION_ORDER: 'The actions were not done in the order asked.',
  FACE_CHANGED: 'Not the same person in every frame.',
  NO_FACE: 'No face in too many frames.',
  MULTIPLE_FACES: 'More than one face in view.',
  STATIC_SEQUENCE: 'No movement: this looks like a still photo.',
  DUPLICATE_FRAMES: 'Repeated frames.',
  SPOOF_SUSPECTED: 'The face looks like a photo or a screen.',
  TIMING: 'The frame timing is not possible for a live camera.',
};

const START_FRAMES = 2;
const FRAMES_PER_ACTION = 4;
const ACTION_MS = 1600;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const wxCall = (fn, options) =>
  new Promise((resolve, reject) =>
    fn({ ...options, success: resolve, fail: (err) => reject(new Error(err.errMsg)) }),
  );

Page({
  data: { running: false, prompt: '', steps: [], verdict: null, error: '' },

  onUnload() {
    this.stopped = true;
  },

  onCameraError() {
    this.setData({ error: 'The camera is not available: allow it in the settings.' });
  },

  /** One camera frame as base64 JPEG, at most 640 px wide. */
  async frame() {
    const photo = await wxCall(this.camera.takePhoto.bind(this.camera), { quality: 'normal' });
    const small = await wxCall(wx.compressImage, {
      src: photo.tempImagePath,
      quality: 70,
      compressedWidth: 640,
    });
    const file = await wxCall(wx.getFileSystemManager().readFile.bind(wx.getFileSystemManager()), {
      filePath: small.tempFilePath,
      encoding: 'base64',
    });
    return file.data;
  },

  async start() {
    this.stopped = false;
    this.camera = wx.createCameraContext();
    this.setData({ running: true, verdict: null, error: '', prompt: '' });
    try {
      const session = await client.call('POST', '/v1/liveness/sessions', { body: {} });
      const steps = session.challenge.actions.map((action) => ({
        action,
        text: PROMPTS[action] || action,
        state: 'waiting',
      }));
      this.setData({ steps, prompt: 'Look straight at the camera' });
      const frames = [];
      let t0 = 0;
      const capture = async () => {
        if (this.stopped) throw new Error('Stopped.');
        const now = Date.now();
        if (frames.length === 0) t0 = now;
        frames.push({ image: await this.frame(), t: now - t0 });
      };
      await sleep(500);
      for (let i = 0; i < START_FRAMES; i++) await capture();
      for (let i = 0; i < steps.length; i++) {
        this.setData({
          [`steps[${i}].state`]: 'current',
          prompt: `${i + 1}/${steps.length}: ${steps[i].text}`,
        });
        const until = Date.now() + ACTION_MS;
        for (let k = 0; k < FRAMES_PER_ACTION && Date.now() < until + 400; k++) {
          await capture();
          await sleep(Math.max(0, (until - Date.now()) / (FRAMES_PER_ACTION - k)));
        }
        this.setData({ [`steps[${i}].state`]: 'done' });
      }
      this.setData({ prompt: 'Checking…' });
      const verdict = await client.call('POST', `/v1/liveness/sessions/${session.sessionId}/verify`, {
        body: { frames: frames.slice(0, session.maxFrames) },
      });
      this.setData({
        prompt: '',
        verdict: {
          live: verdict.live,
          summary: `${verdict.live ? 'Live' : 'Not live'} · score ${verdict.score.toFixed(2)}`,
          actions: verdict.actions.map((a) => `${a.seen ? '✓' : '✗'} ${PROMPTS[a.action] || a.action}`),
          reasons: verdict.reasons.map((r) => REASONS[r] || r),
        },
      });
    } catch (error) {
      this.setData({ error: describe(error), prompt: '' });
    } finally {
      this.setData({ running: false });
    }
  },
});
