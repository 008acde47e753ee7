import type { z } from 'zod';
import { type DetectedFace } from '../face/engine.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { LIVENESS_THRESHOLDS } from '../face/liveness.ts';
import { MATCH_LEVEL_SETTINGS } from '../face/match-levels.ts';
import { presentBox } from '../face-service/present.ts';
import { findActions, isStatic, type Reading } from './actions.ts';
import { duplicateFrames, impossibleTiming, type Frame } from './frames.ts';
// Type only: schemas.ts imports REASONS from here.
import type { verifyResultSchema } from './schemas.ts';
import { claimSession, loadSession, recordPass, type LivenessSession } from './sessions.ts';
import { recordLiveness } from '../metrics.ts';

export const REASONS = [
  'TIMING',
  'NO_FACE',
  'MULTIPLE_FACES',
  'DUPLICATE_FRAMES',
  'STATIC_SEQUENCE',
  'FACE_CHANGED',
  'ACTION_MISSING',
  'ACTION_ORDER',
  'SPOOF_SUSPECTED',
] as const;
export type Reason = (typeof REASONS)[number];

/** Reasons that say the burst is not a live capture at all: the score is 0 whatever else it shows. */
const DISQUALIFYING = new Set<Reason>([
  'TIMING',
  'NO_FACE',
  'MULTIPLE_FACES',
  'DUPLICATE_FRAMES',
  'STATIC_SEQUENCE',
  'FACE_CHANGED',
]);

/** A turned head or closed eyes can lose the face for a frame; more than this share lost is NO_FACE. */
const MAX_FACELESS_SHARE = 0.2;
/** The passive check reads the most frontal frames, where the PAD model was trained to look. */
const PASSIVE_FRAMES = 3;
/** Same person in every frame: the LOW match level (1e-2 per comparison), poses vary within a burst. */
const SAME_PERSON = MATCH_LEVEL_SETTINGS.LOW.threshold;

interface Seen {
  frame: Frame;
  faces: DetectedFace[];
}

const frontalness = (f: DetectedFace) => Math.abs(f.pose.yaw) + Math.abs(f.pose.pitch);

function reading(face: DetectedFace | undefined): Reading | null {
  return face ? { yaw: face.pose.yaw, pitch: face.pose.pitch, ...face.openness } : null;
}

/**
 * Judges one burst against its session's challenge. Pure apart from the engine: every rule that can
 * fail a burst adds its reason, so a client learns all that went wrong at once.
 */
export async function judgeBurst(session: LivenessSession, frames: Frame[], now = Date.now()) {
  const engine = getFaceEngine();
  const seen: Seen[] = [];
  // One frame at a time: the engine is single-threaded, and this keeps peak memory to one frame.
  for (const frame of frames) {
    const { faces } = await engine.detect(frame.image, {
      maxFaces: 3,
      withDescriptor: true,
      withLiveness: true,
    });
    seen.push({ frame, faces });
  }
  const single = seen.map((s) => (s.faces.length === 1 ? s.faces[0]! : undefined));
  const reasons = new Set<Reason>();

  if (impossibleTiming(frames, session.actions.length, now - session.createdAt)) reasons.add('TIMING');
  const faceless = seen.filter((s) => s.faces.length === 0).length;
  if (seen[0]!.faces.length === 0 || faceless > MAX_FACELESS_SHARE * seen.length) reasons.add('NO_FACE');
  if (seen.some((s) => s.faces.length > 1)) reasons.add('MULTIPLE_FACES');
  if (duplicateFrames(frames).length > 0) reasons.add('DUPLICATE_FRAMES');

  const readings = single.map(reading);
  if (isStatic(readings)) reasons.add('STATIC_SEQUENCE');

  // The reference: the most frontal single face, later bound to compare/search/enrol.
  const candidates = single
    .map((face, index) => ({ face, index }))
    .filter((c): c is { face: DetectedFace; index: number } => c.face !== undefined);
  const reference = [...candidates].sort((a, b) => frontalness(a.face) - frontalness(b.face))[0];
  if (
    reference &&
    candidates.some((c) => engine.similarity(c.face.descriptor!, reference.face.descriptor!) < SAME_PERSON)
  ) {
    reasons.add('FACE_CHANGED');
  }

  const { actions, inOrder } = findActions(session.actions, readings);
  if (actions.some((a) => !a.seen)) reasons.add('ACTION_MISSING');
  else if (!inOrder) reasons.add('ACTION_ORDER');

  const passive = [...candidates]
    .sort((a, b) => frontalness(a.face) - frontalness(b.face))
    .slice(0, PASSIVE_FRAMES)
    .map((c) => c.face.liveness!.score);
  const passiveScore = passive.length ? passive.reduce((a, b) => a + b, 0) / passive.length : 0;
  if (passiveScore < LIVENESS_THRESHOLDS[session.level]) reasons.add('SPOOF_SUSPECTED');

  const ordered = REASONS.filter((r) => reasons.has(r));
  const actionShare = inOrder ? 1 : actions.filter((a) => a.seen).length / actions.length / 2;
  const disqualified = ordered.some((r) => DISQUALIFYING.has(r));
  return {
    live: ordered.length === 0,
    score: round(disqualified ? 0 : Math.min(passiveScore, actionShare)),
    level: session.level,
    actions,
    reasons: ordered,
    passiveScore: round(passiveScore),
    referenceFace: reference ? { frame: reference.index, box: presentBox(reference.face.box) } : null,
    reference: reference?.face,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** `POST /v1/liveness/sessions/{id}/verify`: one verification per session; a pass is kept for binding. */
export async function verifySession(
  userId: string,
  sessionId: string,
  frames: Frame[],
): Promise<z.infer<typeof verifyResultSchema>> {
  const session = await loadSession(userId, sessionId);
  await claimSession(userId, session);
  const { reference, ...result } = await judgeBurst(session, frames);
  recordLiveness('session', result.live);
  if (result.live && reference?.descriptor) {
    const engine = getFaceEngine();
    await recordPass(userId, sessionId, {
      passedAt: Date.now(),
      descriptor: Buffer.from(
        reference.descriptor.buffer,
        reference.descriptor.byteOffset,
        reference.descriptor.byteLength,
      ).toString('base64'),
      model: `${engine.model.name}/${engine.model.version}`,
    });
  }
  return result;
}
