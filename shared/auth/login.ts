import { z } from 'zod';
import { config } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { signInStore } from '../store/sessions.ts';
import { captchaRequired, recordFailedLogin, recordSuccessfulLogin } from '../captcha/login-failures.ts';
import { consumeCaptchaToken } from '../captcha/token.ts';
import { addressSubject, recordFriction, requireProofOfWork, userSubject } from '../pow/friction.ts';
import { POW_WEIGHTS } from '../pow/schedule.ts';
import { issueSession, userIdFor } from './tokens.ts';
import { exchangeLoginCode } from './wechat.ts';

/** The body of POST /v1/auth/session: a session token and the key that signs its requests. */
export const loginResultSchema = z.object({
  token: z.string(),
  signingKey: z.string(),
  expiresAt: z.iso.datetime(),
  userId: z.string(),
});
export type LoginResult = z.infer<typeof loginResultSchema>;

export interface LoginRequest {
  code: string;
  sourceIp: string;
  captchaToken?: string;
  /** The X-Pow-Solution header (shared/pow/friction.ts). */
  powSolution?: string;
}

const captchaNeeded = (message: string) =>
  new AppError('CAPTCHA_REQUIRED', message, { captchaUrl: '/v1/captcha' });

/**
 * Exchanges a wx.login code for our own session. After repeated invalid codes from one source, a
 * single-use captcha token is required first, and after more a proof of work before that (its source's
 * friction, shared/pow). A user signing in unusually often needs a proof of work too; that is known only
 * once WeChat has named the user, so that 428 costs the client its code (it signs in again with a new
 * wx.login code and the solution). WeChat's session_key is kept in the session record (for later
 * decryption of user data the mini-program sends) and never returned.
 */
export async function loginWithWeChat({
  code,
  sourceIp,
  captchaToken,
  powSolution,
}: LoginRequest): Promise<LoginResult> {
  const address = await addressSubject(sourceIp);
  const proven = await requireProofOfWork({ scope: 'login', subjects: [address], solution: powSolution });
  const underCaptcha = await captchaRequired(sourceIp);
  if (underCaptcha) {
    if (!captchaToken)
      throw captchaNeeded('Too many failed logins from your network: solve a captcha first.');
    if (!(await consumeCaptchaToken(captchaToken)))
      throw captchaNeeded('The captcha token is invalid or already used.');
  }
  let wechat;
  try {
    wechat = await exchangeLoginCode(code);
  } catch (e) {
    if (isAppError(e) && e.code === 'INVALID_LOGIN_CODE')
      await Promise.all([recordFailedLogin(sourceIp), recordFriction([address], POW_WEIGHTS.failure)]);
    throw e;
  }
  const userId = userIdFor(config().WECHAT_APP_ID, wechat.openid);
  const user = userSubject(userId);
  await requireProofOfWork({ scope: 'login', subjects: [user], solution: powSolution, proven });
  await recordFriction([user], POW_WEIGHTS.login);
  // Raises this source's failed-login threshold: many users behind one NAT (login-failures.ts). Not a
  // sign-in that needed a captcha: a source over its threshold cannot raise it from there.
  if (!underCaptcha) await recordSuccessfulLogin(sourceIp, userId);
  const { session, token, signingKey } = issueSession(userId);
  await signInStore.put(userId, session.sessionId, {
    wechatSessionKey: wechat.sessionKey,
    createdAt: new Date().toISOString(),
    ttl: session.expiresAt,
  });
  return { token, signingKey, expiresAt: new Date(session.expiresAt * 1000).toISOString(), userId };
}

/** Erasure: the sign-in records and the WeChat session keys kept with them (tokens are self-contained). */
export async function eraseSignIns(userId: string): Promise<void> {
  await signInStore.removeAll(userId);
}
