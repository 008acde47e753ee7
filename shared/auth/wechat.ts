import axios from 'axios';
import { config } from '../config.ts';
import { AppError, retryLater } from '../errors.ts';

/** WeChat's documented jscode2session error codes and how we answer them. */
const WECHAT_ERRORS: Record<number, () => AppError> = {
  40029: () => new AppError('INVALID_LOGIN_CODE', 'The login code is invalid or already used.'),
  40163: () => new AppError('INVALID_LOGIN_CODE', 'The login code has already been used.'),
  45011: () =>
    new AppError('LOGIN_RATE_LIMITED', 'Too many login attempts; wait a minute.', undefined, {
      'Retry-After': '60',
    }),
  40226: () => new AppError('LOGIN_BLOCKED', 'WeChat flagged this account as high risk; login refused.'),
  [-1]: () => retryLater('WECHAT_BUSY', 'WeChat is busy; try again shortly.', 2),
};

export interface WeChatSession {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

const http = axios.create({ timeout: 5000 });

export async function exchangeLoginCode(code: string): Promise<WeChatSession> {
  const { WECHAT_API_BASE, WECHAT_APP_ID, WECHAT_APP_SECRET } = config();
  let data: { openid?: string; session_key?: string; unionid?: string; errcode?: number; errmsg?: string };
  try {
    ({ data } = await http.get(`${WECHAT_API_BASE}/sns/jscode2session`, {
      params: {
        appid: WECHAT_APP_ID,
        secret: WECHAT_APP_SECRET,
        js_code: code,
        grant_type: 'authorization_code',
      },
    }));
  } catch {
    throw retryLater('WECHAT_UNAVAILABLE', 'WeChat login service is unreachable; try again shortly.');
  }
  if (data.errcode) {
    const known = WECHAT_ERRORS[data.errcode];
    throw known
      ? known()
      : new AppError('WECHAT_ERROR', `WeChat refused the login (errcode ${data.errcode}).`);
  }
  if (!data.openid || !data.session_key) {
    throw new AppError('WECHAT_ERROR', 'WeChat returned an incomplete session.');
  }
  return { openid: data.openid, sessionKey: data.session_key, unionid: data.unionid };
}
