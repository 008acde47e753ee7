import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { viaDependency } from '../errors.ts';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { issueSession, userIdFor } from './tokens.ts';
import { exchangeLoginCode } from './wechat.ts';

export interface LoginResult {
  token: string;
  signingKey: string;
  expiresAt: string;
  userId: string;
}

/**
 * Exchanges a wx.login code for our own session. WeChat's session_key is kept in the session
 * record (for later decryption of user data the mini-program sends) and never returned.
 */
export async function loginWithWeChat(code: string): Promise<LoginResult> {
  const wechat = await exchangeLoginCode(code);
  const userId = userIdFor(config().WECHAT_APP_ID, wechat.openid);
  const { session, token, signingKey } = issueSession(userId);
  await viaDependency('dynamodb', () =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: `USER#${userId}`,
          sk: `SESSION#${session.sessionId}`,
          wechatSessionKey: wechat.sessionKey,
          createdAt: new Date().toISOString(),
          ttl: session.expiresAt,
        },
      }),
    ),
  );
  return { token, signingKey, expiresAt: new Date(session.expiresAt * 1000).toISOString(), userId };
}
