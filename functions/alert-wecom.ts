import type { SNSEvent } from 'aws-lambda';
import { alarmMarkdown, alarmMessage } from '../shared/alerts/alarm-message.ts';
import { postMarkdown, RejectedWecomError } from '../shared/alerts/wecom.ts';
import { config } from '../shared/config.ts';
import { createLogger } from '../shared/log.ts';

/**
 * Subscribed to the alarm topic: posts every alarm state change (ALARM, and OK on recovery) to the WeCom
 * group robot. A retryable failure (rate limit, WeCom unreachable) fails the invocation, so Lambda
 * delivers the event again later; a message WeCom refuses for good (e.g. invalid key) is logged as an
 * error and dropped, since retrying cannot help.
 */
export const handler = async (event: SNSEvent): Promise<{ sent: number; rejected: number }> => {
  const log = createLogger({ fn: 'alert-wecom' });
  const { WECOM_WEBHOOK_URL: webhookUrl, WECOM_WEBHOOK_KEY: key } = config();
  if (!key) {
    log.error('WECOM_WEBHOOK_KEY is not set: alarms are not forwarded', { records: event.Records.length });
    return { sent: 0, rejected: event.Records.length };
  }
  let sent = 0;
  let rejected = 0;
  for (const record of event.Records) {
    const parsed = alarmMessage.safeParse(safeJson(record.Sns.Message));
    // Anything else on the topic (e.g. a test publish) is forwarded as text rather than lost.
    const content = parsed.success
      ? alarmMarkdown(parsed.data)
      : `**${record.Sns.Subject ?? 'Notification'}**\n${record.Sns.Message}`;
    try {
      await postMarkdown({ webhookUrl, key }, content);
      sent++;
      log.info(
        'alert sent to WeCom',
        parsed.success ? { alarm: parsed.data.AlarmName, state: parsed.data.NewStateValue } : {},
      );
    } catch (e) {
      if (!(e instanceof RejectedWecomError)) throw e;
      rejected++;
      log.error('WeCom refused the alert', { errcode: e.errcode, error: e.message });
    }
  }
  return { sent, rejected };
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
