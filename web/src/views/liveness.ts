import { fmt, h, show } from '../dom.ts';
import { action } from '../errors.ts';
import { levelSelect } from '../levels.ts';
import type { ViewFactory } from './view.ts';

/**
 * Active liveness: POST /v1/liveness/sessions gives 2-3 actions; the user performs them one prompt at a
 * time while the webcam is sampled (2 frames looking straight, then FRAMES_PER_ACTION per prompt), and
 * POST …/verify judges the burst. The preview is mirrored like a selfie camera; the frames sent are
 * not, and prompts name the user's own left and right.
 */

interface LivenessSession {
  sessionId: string;
  challenge: { actions: string[] };
  maxFrames: number;
}

interface Verdict {
  live: boolean;
  score: number;
  actions: { action: string; seen: boolean; frame: number | null }[];
  reasons: string[];
  passiveScore: number;
}

const PROMPTS: Record<string, string> = {
  TURN_LEFT: 'Turn your head to your left',
  TURN_RIGHT: 'Turn your head to your right',
  BLINK: 'Close your eyes, then open them',
  OPEN_MOUTH: 'Open your mouth wide',
  NOD: 'Nod: look down, then back up',
};

const REASONS: Record<string, string> = {
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
const FRAMES_PER_ACTION = 6;
/** Not a multiple of common frame intervals, so samples land on different moments of the motion. */
const FRAME_INTERVAL_MS = 260;
const MAX_WIDTH = 640;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The current video frame as base64 JPEG, at most MAX_WIDTH wide, unmirrored. */
async function grab(video: HTMLVideoElement): Promise<string> {
  const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
  const width = Math.round(video.videoWidth * scale);
  const height = Math.round(video.videoHeight * scale);
  const canvas = h('canvas', { width, height });
  canvas.getContext('2d')!.drawImage(video, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
  if (!blob) throw new Error('Could not capture a frame.');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const livenessView: ViewFactory = (api) => {
  let stream: MediaStream | undefined;
  let stopped = false;
  const level = levelSelect('Level');
  const start = h('button', { type: 'button', class: 'primary' }, 'Start');
  const video = h('video', {
    autoplay: true,
    playsinline: true,
    muted: true,
    style: 'transform: scaleX(-1)',
  });
  const prompt = h('p', { class: 'prompt', 'aria-live': 'polite' });
  const steps = h('ol', { class: 'steps' });
  const camera = h('div', { class: 'webcam', hidden: true }, video, prompt);
  const errors = h('div');
  const result = h('div', { class: 'result', 'data-testid': 'liveness-result' });

  const stopCamera = () => {
    stream?.getTracks().forEach((track) => track.stop());
    stream = undefined;
    video.srcObject = null;
  };

  action(start, errors, async () => {
    delete result.dataset.live;
    show(result);
    const session = await api.post<LivenessSession>('/v1/liveness/sessions', { level: level.value });
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser offers no camera here.');
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'user', width: { ideal: 640 } },
      audio: false,
    });
    video.srcObject = stream;
    camera.hidden = false;
    try {
      while (!video.videoWidth) await sleep(50);
      const items = session.challenge.actions.map((a) =>
        h('li', { 'data-action': a, 'data-state': 'waiting' }, PROMPTS[a] ?? a),
      );
      show(steps, ...items);
      const frames: { image: string; t: number }[] = [];
      let t0 = 0;
      const capture = async () => {
        if (stopped) throw new Error('Stopped.');
        const now = performance.now();
        if (frames.length === 0) t0 = now;
        frames.push({ image: await grab(video), t: Math.round(now - t0) });
      };
      show(prompt, 'Look straight at the camera');
      await sleep(300);
      for (let i = 0; i < START_FRAMES; i++) {
        if (i > 0) await sleep(FRAME_INTERVAL_MS);
        await capture();
      }
      for (const [i, item] of items.entries()) {
        item.dataset.state = 'current';
        show(prompt, `${i + 1}/${items.length}: ${item.textContent}`);
        for (let k = 0; k < FRAMES_PER_ACTION; k++) {
          await sleep(FRAME_INTERVAL_MS);
          await capture();
        }
        item.dataset.state = 'done';
      }
      stopCamera();
      show(prompt, 'Checking…');
      const verdict = await api.post<Verdict>(`/v1/liveness/sessions/${session.sessionId}/verify`, {
        frames: frames.slice(0, session.maxFrames),
      });
      items.forEach((item, i) => (item.dataset.seen = String(verdict.actions[i]?.seen ?? false)));
      show(prompt);
      result.dataset.live = String(verdict.live);
      result.dataset.reasons = verdict.reasons.join(',');
      result.dataset.seen = verdict.actions.map((a) => `${a.action}:${a.seen}`).join(',');
      show(
        result,
        h(
          'p',
          { class: `verdict ${verdict.live ? 'yes' : 'no'}` },
          verdict.live ? 'Live' : 'Not live',
          h('span', {}, ` score ${fmt(verdict.score)}, passive ${fmt(verdict.passiveScore)}`),
        ),
        h(
          'ul',
          { class: 'actions' },
          ...verdict.actions.map((a) =>
            h('li', {}, `${a.seen ? '✓' : '✗'} ${PROMPTS[a.action] ?? a.action}`),
          ),
        ),
        verdict.reasons.length > 0 &&
          h(
            'ul',
            { class: 'reasons' },
            ...verdict.reasons.map((r) => h('li', { 'data-reason': r }, REASONS[r] ?? r)),
          ),
      );
    } finally {
      stopCamera();
      camera.hidden = true;
    }
  });

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'Liveness check'),
      h(
        'p',
        { class: 'hint' },
        'Follow 2-3 prompts in front of the camera; the frames are checked for the actions, the same face and motion.',
      ),
      h('div', { class: 'row' }, h('label', {}, 'Level ', level), start),
      camera,
      steps,
      errors,
      result,
    ),
    dispose: () => {
      stopped = true;
      stopCamera();
    },
  };
};
