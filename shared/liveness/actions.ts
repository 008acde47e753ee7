/**
 * Recognising the challenge actions in a burst of frames, from what the engine measures per face:
 * head pose (FaceMesh's 3-D frame) and eye/mouth aspect ratios. Pure functions over numbers, so the
 * rules are unit-tested on their own and on real images (see actions.test.ts).
 *
 * Directions are the subject's own: TURN_LEFT means the person turns to *their* left, which in an
 * unmirrored camera frame turns the face towards the image's right (engine yaw rises).
 */
export const ACTIONS = ['TURN_LEFT', 'TURN_RIGHT', 'BLINK', 'OPEN_MOUTH', 'NOD'] as const;
export type Action = (typeof ACTIONS)[number];

/** What one frame's single face shows (engine units: degrees, aspect ratios). */
export interface Reading {
  yaw: number;
  pitch: number;
  eyes: number;
  mouth: number;
}

/**
 * Thresholds, chosen from FaceMesh readings of real faces (fixtures: frontal yaw within +/-10 deg, open
 * eyes 0.22-0.42, closed mouths 0.02-0.30; see LIVENESS.md): far enough from what a steady face shows
 * that jitter never fires an action, near enough that an ordinary head turn or blink does.
 */
export const ACTION_RULES = {
  /** Head turn: yaw this far from the start, in the asked direction. */
  turnDegrees: 18,
  /** Nod: pitch this far from the start (either way: people nod down, some tip up first). */
  nodDegrees: 12,
  /**
   * Blink: eyes at most this share of the open value (the burst's 80th percentile)... FaceMesh hardly
   * follows a closed lid: a real or rendered closed eye reads 0.6-0.75 of the open value
   * (tests/support/face-puppet.test.ts), so a stricter ratio misses real blinks. A squint passes too;
   * that costs nothing, since a still photo can do neither.
   */
  blinkRatio: 0.75,
  /** ...and at least this much below it, so that jitter on small or narrow eyes never fires. */
  blinkDrop: 0.06,
  /** Open mouth: at least this aspect and this much wider than at the start. */
  mouthMin: 0.4,
  mouthRise: 0.2,
} as const;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

const median = (values: number[]) => quantile(values, 0.5);

/** The neutral start: median of the first two faces (the client asks the user to look straight first). */
function baselineOf(readings: Reading[]): Reading {
  const start = readings.slice(0, 2);
  return {
    yaw: median(start.map((r) => r.yaw)),
    pitch: median(start.map((r) => r.pitch)),
    eyes: quantile(
      readings.map((r) => r.eyes),
      0.8,
    ),
    mouth: median(start.map((r) => r.mouth)),
  };
}

/** Per action, whether one frame shows it. `base` is the neutral start. */
export function shows(action: Action, r: Reading, base: Reading): boolean {
  switch (action) {
    case 'TURN_LEFT':
      return r.yaw - base.yaw >= ACTION_RULES.turnDegrees;
    case 'TURN_RIGHT':
      return base.yaw - r.yaw >= ACTION_RULES.turnDegrees;
    case 'NOD':
      return Math.abs(r.pitch - base.pitch) >= ACTION_RULES.nodDegrees;
    case 'BLINK':
      return r.eyes <= base.eyes * ACTION_RULES.blinkRatio && base.eyes - r.eyes >= ACTION_RULES.blinkDrop;
    case 'OPEN_MOUTH':
      return r.mouth >= ACTION_RULES.mouthMin && r.mouth - base.mouth >= ACTION_RULES.mouthRise;
  }
}

export interface ActionResult {
  action: Action;
  /** Shown somewhere in the burst. */
  seen: boolean;
  /** Index (into the submitted frames) of the frame that shows it, or null. */
  frame: number | null;
}

export interface ActionsOutcome {
  actions: ActionResult[];
  /** Every action appears, in the asked order, each in a later frame than the one before. */
  inOrder: boolean;
}

/**
 * Finds each asked action in `frames` (null where a frame has no usable single face). In order: each
 * action must appear after the frame of the previous one. An action that only appears out of order is
 * still reported as seen, at its first frame, and the outcome is not in order.
 */
export function findActions(asked: readonly Action[], frames: (Reading | null)[]): ActionsOutcome {
  const valid = frames.filter((r): r is Reading => r !== null);
  if (valid.length === 0) {
    return { actions: asked.map((action) => ({ action, seen: false, frame: null })), inOrder: false };
  }
  const base = baselineOf(valid);
  const firstFrom = (action: Action, start: number) => {
    for (let i = start; i < frames.length; i++) {
      const r = frames[i];
      if (r && shows(action, r, base)) return i;
    }
    return -1;
  };
  let inOrder = true;
  let after = 0;
  const actions = asked.map((action): ActionResult => {
    const ordered = inOrder ? firstFrom(action, after) : -1;
    if (ordered >= 0) {
      after = ordered + 1;
      return { action, seen: true, frame: ordered };
    }
    inOrder = false;
    const anywhere = firstFrom(action, 0);
    return { action, seen: anywhere >= 0, frame: anywhere >= 0 ? anywhere : null };
  });
  return { actions, inOrder };
}

/**
 * No non-rigid motion: pose, eyes and mouth hardly change over the burst. A still photo moved or
 * re-shot frame by frame reads like this; a person following prompts never does.
 */
export function isStatic(frames: (Reading | null)[]): boolean {
  const valid = frames.filter((r): r is Reading => r !== null);
  if (valid.length < 2) return true;
  const range = (f: (r: Reading) => number) => {
    const v = valid.map(f);
    return Math.max(...v) - Math.min(...v);
  };
  return (
    range((r) => r.yaw) < 4 &&
    range((r) => r.pitch) < 4 &&
    range((r) => r.eyes) < 0.05 &&
    range((r) => r.mouth) < 0.08
  );
}
