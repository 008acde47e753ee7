import { config } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { signInStore } from '../store/sessions.ts';
import { captchaRequired, recordFailedLogin, recordSuccessfulLogin } from '../captcha/login-failures.ts';
import { consumeCaptchaToken } from '../captcha/token.ts';
import { issueSession, userIdFor } from './tokens.ts';
import { exchangeLoginCode } from './wechat.ts';

export interface LoginResult {
  token: string;
  signingKey: string;
  expiresAt: string;
  userId: string;
}

export interface LoginRequest {
  code: string;
  sourceIp: string;
  captchaToken?: string;
}

const captchaNeeded = (message: string) =>
  new AppError('CAPTCHA_REQUIRED', message, { captchaUrl: '/v1/captcha' });

/**
 * Exchanges a wx.login code for our own session. After repeated invalid codes from one source, a
 * single-use captcha token is required first. WeChat's session_key is kept in the session record
 * (for later decryption of user data the mini-program sends) and never returned.
 */
export async function loginWithWeChat({ code, sourceIp, captchaToken }: LoginRequest): Promise<LoginResult> {
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
    if (isAppError(e) && e.code === 'INVALID_LOGIN_CODE') await recordFailedLogin(sourceIp);
    throw e;
  }
  const userId = userIdFor(config().WECHAT_APP_ID, wechat.openid);
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
