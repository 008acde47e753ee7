import { AppError } from '../errors.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { MATCH_LEVEL_SETTINGS } from '../face/match-levels.ts';
import { BINDING_SECONDS, findPass } from './sessions.ts';

/**
 * `livenessSessionId` on compare, search and enrolment: the decision stands only for a face that is the
 * same person (at the NORMAL match level) as the reference face of a session this caller passed within
 * BINDING_SECONDS. A session may bind several decisions in that window (compare, then enrol); it cannot
 * be carried over to another face or another account.
 */
export async function requireLiveness(userId: string, sessionId: string, probe: Float32Array): Promise<void> {
  const passed = await findPass(userId, sessionId);
  const engine = getFaceEngine();
  const required = (problem: string, message: string) =>
    new AppError('LIVENESS_REQUIRED', message, { problem, windowSeconds: BINDING_SECONDS });
  if (!passed || passed.model !== `${engine.model.name}/${engine.model.version}`) {
    throw required(
      'NO_PASSED_SESSION',
      'No liveness session of yours passed within the last 120 seconds with this id.',
    );
  }
  const reference = new Float32Array(new Uint8Array(Buffer.from(passed.descriptor, 'base64')).buffer);
  if (engine.similarity(probe, reference) < MATCH_LEVEL_SETTINGS.NORMAL.threshold) {
    throw required('DIFFERENT_PERSON', 'The face is not the person who passed the liveness session.');
  }
}
