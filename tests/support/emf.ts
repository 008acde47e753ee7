import { readFileSync } from 'node:fs';
import path from 'node:path';
import { logDir } from '../../scripts/stack/env.ts';

/**
 * The embedded-metric-format lines the local API wrote (the stack sends each service's output to
 * <data>/logs/<service>.log), parsed the way CloudWatch reads them: namespace, dimensions and metric
 * names in the `_aws` block, values as top-level fields.
 */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  requestId?: string;
  [key: string]: unknown;
}

export function emfLines(): EmfLine[] {
  return readFileSync(path.join(logDir, 'api.log'), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"_aws"');
      return start < 0 ? [] : [JSON.parse(line.slice(start)) as EmfLine];
    });
}

export const metricNames = (line: EmfLine) => line._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
export const dimensionsOf = (line: EmfLine) => line._aws.CloudWatchMetrics[0]!.Dimensions[0];
