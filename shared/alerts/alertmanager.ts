import { z } from 'zod';
import type { AlarmMessage } from './alarm-message.ts';

/**
 * Prometheus Alertmanager's webhook payload (version 4, the fields we use): one POST per group of
 * alerts, each alert `firing` or `resolved`. The local stack's Prometheus alerts arrive this way.
 */
export const alertmanagerPayload = z.object({
  version: z.literal('4'),
  alerts: z.array(
    z.object({
      status: z.enum(['firing', 'resolved']),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()).default({}),
      startsAt: z.string(),
      endsAt: z.string().optional(),
    }),
  ),
});
type Alert = z.infer<typeof alertmanagerPayload>['alerts'][number];

/** Labels that say which alert it is rather than what it is about. */
const ROUTING_LABELS = new Set(['alertname', 'severity']);

/**
 * An Alertmanager alert as the state change a CloudWatch alarm would publish, so that both reach WeCom
 * in one format (alarmMarkdown): firing is ALARM, resolved is OK, and the alert's own labels (endpoint,
 * dependency...) name it beside the rule.
 */
export function alarmOfAlert(alert: Alert): AlarmMessage {
  const subject = Object.entries(alert.labels)
    .filter(([name]) => !ROUTING_LABELS.has(name))
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const firing = alert.status === 'firing';
  return {
    AlarmName: subject ? `${alert.labels.alertname} (${subject})` : (alert.labels.alertname ?? 'alert'),
    AlarmDescription: alert.annotations.summary,
    NewStateValue: firing ? 'ALARM' : 'OK',
    OldStateValue: firing ? 'OK' : 'ALARM',
    NewStateReason: alert.annotations.description,
    StateChangeTime: firing ? alert.startsAt : (alert.endsAt ?? alert.startsAt),
  };
}
