import { z } from 'zod';

/** The JSON CloudWatch publishes to SNS when an alarm changes state (the fields we use). */
export const alarmMessage = z.object({
  AlarmName: z.string(),
  AlarmDescription: z.string().nullish(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  OldStateValue: z.string().optional(),
  NewStateReason: z.string().optional(),
  StateChangeTime: z.string().optional(),
  Region: z.string().optional(),
});
export type AlarmMessage = z.infer<typeof alarmMessage>;

/** WeCom's markdown: `warning` is orange, `info` green, `comment` grey. */
const colour = { ALARM: 'warning', OK: 'info', INSUFFICIENT_DATA: 'comment' } as const;
const headline = { ALARM: 'ALARM', OK: 'RECOVERED', INSUFFICIENT_DATA: 'NO DATA' } as const;

/** One alarm state change as a WeCom markdown message: state, name, what it means, why, when. */
export function alarmMarkdown(alarm: AlarmMessage): string {
  const lines = [
    `### <font color="${colour[alarm.NewStateValue]}">${headline[alarm.NewStateValue]}</font> ${alarm.AlarmName}`,
    alarm.AlarmDescription ? `> ${alarm.AlarmDescription}` : undefined,
    `> State: <font color="comment">${alarm.OldStateValue ?? '?'}</font> → **${alarm.NewStateValue}**`,
    alarm.NewStateReason ? `> Reason: <font color="comment">${alarm.NewStateReason}</font>` : undefined,
    alarm.StateChangeTime ? `> Time: ${alarm.StateChangeTime}` : undefined,
    alarm.Region ? `> Region: ${alarm.Region}` : undefined,
  ];
  return lines.filter((l) => l !== undefined).join('\n');
}
