import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invokeFunction } from '../../scripts/stack/invoke.ts';
import {
  postMarkdown,
  RejectedWecomError,
  RetryableWecomError,
  WECOM_MESSAGES_PER_MINUTE,
} from '../../shared/alerts/wecom.ts';
import { apiEnv, urls } from '../support/stack.ts';

/**
 * The alert function through serverless-offline's Lambda invoke API, with the SNS event CloudWatch
 * sends, delivering to the fake WeCom robot of the stack (scripts/stack/fake-wecom.ts); then the webhook
 * failures WeCom documents, against the same fake.
 */
const robot = { webhookUrl: apiEnv.WECOM_WEBHOOK_URL, key: apiEnv.WECOM_WEBHOOK_KEY };
const run = `${process.pid}-${Date.now()}`;
const postToFake = async (body: unknown): Promise<{ errcode: number }> =>
  (
    await fetch(`${robot.webhookUrl}?key=${robot.key}`, { method: 'POST', body: JSON.stringify(body) })
  ).json();

function alarmEvent(state: 'ALARM' | 'OK', previous: string) {
  const message = {
    AlarmName: `facegate-local-api-error-rate-${run}`,
    AlarmDescription: 'More than 5 % of all API requests answered 5xx over 5 minutes.',
    NewStateValue: state,
    OldStateValue: previous,
    NewStateReason: `Threshold Crossed: 1 datapoint [${state === 'ALARM' ? 12.5 : 0.4}] was compared to 5.0.`,
    StateChangeTime: new Date().toISOString(),
    Region: 'Asia Pacific (Singapore)',
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: {
          Type: 'Notification',
          Subject: `${state}: "${message.AlarmName}"`,
          Message: JSON.stringify(message),
        },
      },
    ],
  };
}

async function deliveredFor(marker: string): Promise<{ msgtype: string; content: string }[]> {
  const all = (await (await fetch(`${urls.wecom}/messages`)).json()) as {
    msgtype: string;
    content: string;
  }[];
  return all.filter((m) => m.content.includes(marker));
}

test('an alarm and its recovery arrive at the WeCom robot as markdown', async () => {
  assert.deepEqual(await invokeFunction('alertWecom', alarmEvent('ALARM', 'OK')), { sent: 1, rejected: 0 });
  assert.deepEqual(await invokeFunction('alertWecom', alarmEvent('OK', 'ALARM')), { sent: 1, rejected: 0 });
  const [alarm, recovery] = await deliveredFor(run);
  assert.equal(alarm?.msgtype, 'markdown');
  assert.match(alarm!.content, /<font color="warning">ALARM<\/font> facegate-local-api-error-rate/);
  assert.match(alarm!.content, /More than 5 % of all API requests/);
  assert.match(alarm!.content, /OK<\/font> → \*\*ALARM\*\*/);
  assert.match(alarm!.content, /12\.5/);
  assert.match(recovery!.content, /<font color="info">RECOVERED<\/font>/);
  assert.match(recovery!.content, /ALARM<\/font> → \*\*OK\*\*/);
});

test('webhook errors: an invalid key is refused for good, busy and unreachable are retryable', async () => {
  await assert.rejects(
    postMarkdown({ ...robot, key: 'not-the-key' }, 'x'),
    (e: unknown) => e instanceof RejectedWecomError && e.errcode === 93000,
  );
  await assert.rejects(postMarkdown({ ...robot, key: 'busy' }, 'x'), RetryableWecomError);
  await assert.rejects(
    postMarkdown({ ...robot, webhookUrl: 'http://127.0.0.1:1/cgi-bin/webhook/send' }, 'x'),
    RetryableWecomError,
  );
  // The fake speaks WeCom's other documented refusals.
  assert.equal((await postToFake({ msgtype: 'image', image: {} })).errcode, 40008);
  assert.equal((await postToFake({ msgtype: 'markdown', markdown: { content: '' } })).errcode, 44004);
});

test('at most 20 messages a minute leave, and WeCom’s own 45009 is retryable', async () => {
  // A minute of its own for the Redis counter, so earlier messages of this run do not count.
  const minute = Date.now() + 3_600_000;
  let sent = 0;
  let held = 0;
  for (let i = 0; i <= WECOM_MESSAGES_PER_MINUTE; i++) {
    await postMarkdown(robot, `burst ${run} ${i}`, minute).then(
      () => sent++,
      (e: unknown) => {
        assert.ok(e instanceof RetryableWecomError, String(e));
        held++;
      },
    );
  }
  assert.ok(held >= 1, 'the 21st message of the minute is held back');
  assert.ok(sent <= WECOM_MESSAGES_PER_MINUTE);
  // Spend what is left of the robot's own budget this minute: then WeCom answers 45009.
  let errcode = 0;
  for (let i = 0; i <= WECOM_MESSAGES_PER_MINUTE && errcode === 0; i++)
    ({ errcode } = await postToFake({ msgtype: 'text', text: { content: `fill ${run} ${i}` } }));
  assert.equal(errcode, 45009);
  await assert.rejects(postMarkdown(robot, `over ${run}`, minute + 120_000), RetryableWecomError);
});
