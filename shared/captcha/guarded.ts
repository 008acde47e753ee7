import { z } from 'zod';
import { isAppError } from '../errors.ts';
import { consumeCaptchaIssue } from '../limits/captcha-limits.ts';
import { addressSubject, recordFriction, requireProofOfWork } from '../pow/friction.ts';
import { POW_WEIGHTS } from '../pow/schedule.ts';
import { createCaptcha, verifyCaptcha, type Captcha } from './challenge.ts';
import type { CaptchaFormat } from './render.ts';

/**
 * The public captcha endpoints with their abuse controls around challenge.ts: issuance limits first
 * (cheap, and they bound the proof-of-work challenges handed out too), then proof of work when the
 * address's friction is high; every captcha issued and every wrong answer raises that friction.
 */

export async function issueCaptcha(req: {
  format: CaptchaFormat;
  sourceIp: string;
  powSolution?: string;
}): Promise<{ captcha: Captcha; headers: Record<string, string> }> {
  const headers = await consumeCaptchaIssue(req.sourceIp);
  const address = await addressSubject(req.sourceIp);
  await requireProofOfWork({ scope: 'captcha', subjects: [address], solution: req.powSolution });
  const captcha = await createCaptcha(req.format);
  await recordFriction([address], POW_WEIGHTS.captchaIssued);
  return { captcha, headers };
}

/** The body of POST /v1/captcha/verify: a wrong answer is an error, so `valid` is always true. */
export const captchaAnsweredSchema = z.object({ valid: z.literal(true), captchaToken: z.string() });

export async function answerCaptcha(req: {
  captchaId: string;
  answer: string;
  sourceIp: string;
}): Promise<z.infer<typeof captchaAnsweredSchema>> {
  try {
    return { valid: true, captchaToken: await verifyCaptcha(req.captchaId, req.answer) };
  } catch (e) {
    if (isAppError(e) && e.code === 'CAPTCHA_INCORRECT')
      await recordFriction([await addressSubject(req.sourceIp)], POW_WEIGHTS.failure);
    throw e;
  }
}
