import { closeSync, openSync, readSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { alarmMarkdown } from '../../shared/alerts/alarm-message.ts';
import { alarmOfAlert, alertmanagerPayload } from '../../shared/alerts/alertmanager.ts';
import { postMarkdown, RejectedWecomError } from '../../shared/alerts/wecom.ts';
import { config } from '../../shared/config.ts';
import { EmfRegistry } from './emf-prometheus.ts';
import { logDir, ports } from './env.ts';

/**
 * The local stack's stand-in for what CloudWatch does with the functions' logs and alarms:
 *   GET  /metrics       the EMF metrics of the API's log as Prometheus series (emf-prometheus.ts), which
 *                       the local Prometheus scrapes;
 *   POST /alertmanager  Alertmanager's webhook: each firing or resolved alert goes to the WeCom robot in
 *                       the alert function's format, through the same sender and its 20-a-minute budget.
 */

const registry = new EmfRegistry();
const apiLog = path.join(logDir, 'api.log');

/**
 * Follows the API's log as CloudWatch Logs follows a function's output: from its end when the bridge
 * starts (a restarted bridge starts its counters afresh, which Prometheus reads as a counter reset) and
 * from the top again when the log is rewritten by a fresh start of the API.
 */
function followApiLog(): void {
  let offset = sizeOf(apiLog);
  // Bytes after the last newline: decoded only once complete, so a UTF-8 character split across two
  // reads is not mangled.
  let partial = Buffer.alloc(0);
  setInterval(() => {
    const size = sizeOf(apiLog);
    if (size < offset) [offset, partial] = [0, Buffer.alloc(0)];
    if (size === offset) return;
    const fd = openSync(apiLog, 'r');
    try {
      const chunk = Buffer.alloc(size - offset);
      const read = readSync(fd, chunk, 0, chunk.length, offset);
      offset += read;
      const text = Buffer.concat([partial, chunk.subarray(0, read)]);
      const end = text.lastIndexOf(0x0a) + 1;
      partial = text.subarray(end);
      for (const line of text.subarray(0, end).toString('utf8').split('\n')) registry.ingest(line);
    } finally {
      closeSync(fd);
    }
  }, 500);
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Alertmanager retries a notification that answered 5xx: that is the answer while WeCom is busy or the
 * budget is spent; a message WeCom refuses for good is logged and acknowledged, as the alert function does.
 * Each notification carries one alert (group_by ['...'] in monitoring-config.ts), so a retry never
 * repeats one already delivered.
 */
async function relayAlerts(body: string): Promise<number> {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return 400;
  }
  const parsed = alertmanagerPayload.safeParse(payload);
  if (!parsed.success) return 400;
  const { WECOM_WEBHOOK_URL: webhookUrl, WECOM_WEBHOOK_KEY: key } = config();
  if (!key) {
    console.error('WECOM_WEBHOOK_KEY is not set: alerts are not forwarded');
    return 200;
  }
  for (const alert of parsed.data.alerts) {
    const alarm = alarmOfAlert(alert);
    try {
      await postMarkdown({ webhookUrl, key }, alarmMarkdown(alarm));
      console.log(`${alarm.NewStateValue} ${alarm.AlarmName} -> WeCom`);
    } catch (e) {
      console.error(`${alarm.AlarmName}: ${(e as Error).message}`);
      if (!(e instanceof RejectedWecomError)) return 503;
    }
  }
  return 200;
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(registry.exposition());
    return;
  }
  if (req.method !== 'POST' || req.url !== '/alertmanager') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    relayAlerts(Buffer.concat(chunks).toString('utf8')).then(
      (status) => res.writeHead(status).end(),
      (error: Error) => {
        console.error(`alert relay failed: ${error.message}`);
        res.writeHead(500).end();
      },
    );
  });
});

followApiLog();
server.listen(ports.opsBridge, '127.0.0.1', () => console.log(`ops bridge listening on ${ports.opsBridge}`));
