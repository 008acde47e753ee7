import { cacheStore } from '../store/cache.ts';
import { wecomSendKey } from '../store/keys.ts';
import { currentLogger } from '../log.ts';

/**
 * WeCom (企业微信) group robot: `POST <webhook>?key=<key>` with `{"msgtype":"markdown","markdown":{"content"}}`;
 * the reply is HTTP 200 with `{"errcode","errmsg"}`, errcode 0 meaning delivered. A robot takes at most
 * 20 messages per minute (errcode 45009 beyond) and 4096 bytes of content.
 */
export const WECOM_MESSAGES_PER_MINUTE = 20;
const MAX_CONTENT_BYTES = 4096;
const RATE_LIMITED = 45009;

export interface WecomRobot {
  /** e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send */
  webhookUrl: string;
  key: string;
}

/**
 * Delivery failed but may succeed later (robot rate limit, WeCom or network down): the alert function
 * throws it, and Lambda's asynchronous retries (after about 1 and 3 minutes) deliver the message again.
 */
export class RetryableWecomError extends Error {}

/** Delivery can never succeed as configured (invalid key, rejected message): retrying is pointless. */
export class RejectedWecomError extends Error {
  constructor(
    readonly errcode: number,
    errmsg: string,
  ) {
    super(`WeCom refused the message: errcode ${errcode} (${errmsg})`);
  }
}

/** Cuts content to the robot's byte limit without splitting a UTF-8 character. */
export function fitContent(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.length <= MAX_CONTENT_BYTES) return content;
  const suffix = '\n…';
  return (
    bytes
      .subarray(0, MAX_CONTENT_BYTES - Buffer.byteLength(suffix))
      .toString('utf8')
      .replace(/\uFFFD$/, '') + suffix
  );
}

/**
 * Takes one of the robot's 20 sends of the current minute, counted in Redis across all containers.
 * When Redis cannot count, the message goes out anyway: an alert matters more than the budget, and
 * WeCom itself answers 45009 when it is really exceeded.
 */
async function takeSendSlot(key: string, nowMs: number): Promise<boolean> {
  const minute = Math.floor(nowMs / 60_000);
  try {
    return (await cacheStore.tally(wecomSendKey(key, minute), 120)) <= WECOM_MESSAGES_PER_MINUTE;
  } catch (e) {
    currentLogger().warn('wecom send counter unavailable; sending anyway', { error: String(e) });
    return true;
  }
}

/** Posts one markdown message; resolves once WeCom answered errcode 0. */
export async function postMarkdown(robot: WecomRobot, content: string, nowMs = Date.now()): Promise<void> {
  if (!(await takeSendSlot(robot.key, nowMs)))
    throw new RetryableWecomError(`over ${WECOM_MESSAGES_PER_MINUTE} WeCom messages this minute`);
  const url = new URL(robot.webhookUrl);
  url.searchParams.set('key', robot.key);
  let reply: { errcode?: number; errmsg?: string };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: fitContent(content) } }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    reply = (await res.json()) as typeof reply;
  } catch (e) {
    throw new RetryableWecomError(`WeCom webhook unreachable: ${(e as Error).message}`);
  }
  if (reply.errcode === 0) return;
  const errcode = Number(reply.errcode ?? -1);
  // -1 is WeCom's "system busy"; 45009 its rate limit: both pass with time.
  if (errcode === RATE_LIMITED || errcode === -1)
    throw new RetryableWecomError(`WeCom errcode ${errcode} (${reply.errmsg ?? ''})`);
  throw new RejectedWecomError(errcode, String(reply.errmsg ?? ''));
}
