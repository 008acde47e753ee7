import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { urls, withServiceStopped } from '../support/stack.ts';

/**
 * The local monitoring end to end, as an operator following the README sees it: the API's EMF lines
 * become Prometheus series (scripts/stack/ops-bridge.ts), Prometheus evaluates the alarm rules
 * (monitoring-config.ts), Alertmanager hands the alert to the bridge, and the fake WeCom robot receives
 * it, then its recovery. The test stack evaluates over 30 s instead of 5 minutes (FACEGATE_ALERT_WINDOW,
 * set by scripts/run-tests.ts), so both happen within the test. Serial: it takes Redis away.
 */

interface Alert {
  labels: Record<string, string>;
  state: string;
}
interface Rule {
  name: string;
  health: string;
}

const prometheus = async <T>(route: string): Promise<T> =>
  ((await (await fetch(`${urls.prometheus}/api/v1/${route}`)).json()) as { data: T }).data;

const messages = async () => (await (await fetch(`${urls.wecom}/messages`)).json()) as { content: string }[];

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail(`waited ${timeoutMs / 1000} s for ${what}`);
    await sleep(1000);
  }
}

test('Prometheus has the API’s request series, scrapes the edge-streamer, and every rule evaluates', async () => {
  assert.equal((await fetch(`${urls.api}/health`)).status, 200);
  const query = encodeURIComponent('facegate_requests_sum{endpoint="GET /v1/health"}');
  const [series] = await until('GET /v1/health requests in Prometheus', 30_000, async () => {
    const { result } = await prometheus<{ result: { value: [number, string] }[] }>(`query?query=${query}`);
    return result.length ? result : undefined;
  });
  assert.ok(Number(series!.value[1]) >= 1);

  const { activeTargets } = await prometheus<{
    activeTargets: { labels: { job: string }; health: string }[];
  }>('targets');
  for (const job of ['facegate-api', 'edge-streamer'])
    assert.equal(activeTargets.find((t) => t.labels.job === job)?.health, 'up', job);

  const rules = await until('a first evaluation of every rule', 30_000, async () => {
    const { groups } = await prometheus<{ groups: { rules: Rule[] }[] }>('rules');
    const all = groups.flatMap((g) => g.rules);
    return all.every((r) => r.health === 'ok') ? all : undefined;
  });
  for (const name of [
    'ApiErrorRate',
    'EndpointErrorRate',
    'ApiLatencyP95',
    'DependencyUnavailable',
    'EdgeSitesOffline',
  ])
    assert.ok(
      rules.some((r) => r.name === name),
      name,
    );
});

test('an API error rate above 5 % reaches the WeCom robot as an alarm, and its recovery follows', async () => {
  const firing = async () => {
    const { alerts } = await prometheus<{ alerts: Alert[] }>('alerts');
    return alerts.some((a) => a.labels.alertname === 'ApiErrorRate');
  };
  // Earlier tests may have left errors within the window: start once it is quiet.
  await until('no ApiErrorRate alert pending or firing', 120_000, async () =>
    (await firing()) ? undefined : true,
  );
  const before = (await messages()).length;

  await withServiceStopped('redis-rest', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => (await fetch(`${urls.api}/health`)).status),
    );
    assert.deepEqual(new Set(statuses), new Set([503]));
  });

  const alarm = await until('the ALARM message at the robot', 90_000, async () =>
    (await messages()).slice(before).find((m) => m.content.includes('ALARM</font> ApiErrorRate\n')),
  );
  assert.match(alarm.content, /More than 5 % of all API requests answered 5xx/);
  assert.match(alarm.content, /Reason: <font color="comment">[\d.]+% of the requests answered 5xx/);

  const recovery = await until('the RECOVERED message at the robot', 150_000, async () =>
    (await messages()).slice(before).find((m) => m.content.includes('RECOVERED</font> ApiErrorRate\n')),
  );
  assert.match(recovery.content, /State: <font color="comment">ALARM<\/font> → \*\*OK\*\*/);
});
