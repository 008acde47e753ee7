/**
 * CloudWatch embedded metric format (EMF) lines turned into Prometheus series, so that the local stack
 * shows the very metrics CloudWatch extracts from the functions' logs (shared/metrics.ts).
 *
 * EMF keeps every value, and CloudWatch answers statistics over them (Sum, SampleCount, percentiles).
 * The nearest Prometheus shape is kept per metric and label set:
 *   - `<name>_sum` and `<name>_count` (a summary without quantiles): CloudWatch's Sum and SampleCount,
 *     so `increase(facegate_5xx_sum[5m]) / increase(facegate_requests_sum[5m])` is the alarms' error rate;
 *   - for time units, a histogram in milliseconds, for p95 with `histogram_quantile`.
 * Names: namespace and metric in snake case (`Facegate` + `FaceInferenceMs` ->
 * `facegate_face_inference_ms`), time metrics ending in `_ms` (`Latency` -> `facegate_latency_ms`);
 * labels: the directive's dimensions.
 */

const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
const TIME_UNITS = new Set(['Milliseconds', 'Seconds', 'Microseconds']);
const TO_MILLISECONDS: Record<string, number> = { Milliseconds: 1, Seconds: 1000, Microseconds: 0.001 };

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

interface Series {
  labels: Record<string, string>;
  sum: number;
  count: number;
  /** Cumulative counts per bucket bound, for time metrics only. */
  buckets?: number[];
  /**
   * Not yet exposed: the first exposition shows it at 0. Prometheus' increase() starts from a series'
   * first sample, so a series born with its first failures (e.g. 30 DependencyUnavailable between two
   * scrapes) would otherwise never raise an alert.
   */
  unseen: boolean;
}

interface Family {
  name: string;
  help: string;
  histogram: boolean;
  /** The EMF unit it was made from: another unit under the same name is refused, not summed. */
  unit: string;
  series: Map<string, Series>;
}

const snake = (text: string) =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();

/** A dimension name as a valid label name that cannot clash with `le` or Prometheus' reserved `__`. */
const labelName = (dimension: string) => {
  const name = snake(dimension).replace(/^(?=\d)/, '_');
  return name === 'le' || name.startsWith('__') ? `dim_${name}` : name;
};

const isDirective = (value: unknown): value is Directive => {
  const d = value as Directive | null;
  return (
    typeof d?.Namespace === 'string' &&
    Array.isArray(d.Metrics) &&
    d.Metrics.every((m) => typeof m?.Name === 'string') &&
    Array.isArray(d.Dimensions) &&
    d.Dimensions.every((set) => Array.isArray(set) && set.every((k) => typeof k === 'string'))
  );
};

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Record<string, string>, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

const numbersOf = (value: unknown): number[] =>
  (Array.isArray(value) ? value : [value]).filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );

export class EmfRegistry {
  readonly #families = new Map<string, Family>();
  #lines = 0;
  #rejected = 0;

  /** Reads one log line; lines without an EMF record are ignored, malformed ones counted. */
  ingest(line: string): void {
    const start = line.indexOf('{"_aws"');
    if (start < 0) return;
    let record: Record<string, unknown> & { _aws?: { CloudWatchMetrics?: unknown } };
    try {
      record = JSON.parse(line.slice(start));
    } catch {
      this.#rejected++;
      return;
    }
    const directives = record._aws?.CloudWatchMetrics;
    if (!Array.isArray(directives) || !directives.every(isDirective)) {
      this.#rejected++;
      return;
    }
    this.#lines++;
    for (const directive of directives) {
      // CloudWatch publishes each metric once per dimension set; the stack's functions use one set.
      for (const dimensions of directive.Dimensions.length ? directive.Dimensions : [[]]) {
        const labels = Object.fromEntries(dimensions.map((d) => [labelName(d), String(record[d] ?? '')]));
        for (const metric of directive.Metrics) {
          for (const value of numbersOf(record[metric.Name]))
            this.#observe(directive.Namespace, metric, labels, value);
        }
      }
    }
  }

  #observe(
    namespace: string,
    metric: Directive['Metrics'][number],
    labels: Record<string, string>,
    value: number,
  ) {
    const histogram = TIME_UNITS.has(metric.Unit ?? '');
    const base = `${snake(namespace)}_${snake(metric.Name)}`;
    const name = histogram && !base.endsWith('_ms') ? `${base}_ms` : base;
    const unit = metric.Unit ?? 'None';
    let family = this.#families.get(name);
    if (!family) {
      family = {
        name,
        help: `${namespace} ${metric.Name} (${unit}), from EMF`,
        histogram,
        unit,
        series: new Map(),
      };
      this.#families.set(name, family);
    }
    if (family.unit !== unit) {
      this.#rejected++;
      return;
    }
    const key = JSON.stringify(labels);
    let series = family.series.get(key);
    if (!series) {
      const buckets = histogram ? { buckets: LATENCY_BUCKETS_MS.map(() => 0) } : {};
      series = { labels, sum: 0, count: 0, ...buckets, unseen: true };
      family.series.set(key, series);
    }
    const observed = histogram ? value * TO_MILLISECONDS[metric.Unit!]! : value;
    series.sum += observed;
    series.count++;
    series.buckets?.forEach((_, i) => {
      if (observed <= LATENCY_BUCKETS_MS[i]!) series.buckets![i]!++;
    });
  }

  /**
   * The Prometheus text exposition format (version 0.0.4). Meant for the one scraper: a series first
   * shows 0 to whichever reader comes first.
   */
  exposition(): string {
    const out: string[] = [
      '# HELP facegate_emf_records_total EMF records read from the API log.',
      '# TYPE facegate_emf_records_total counter',
      `facegate_emf_records_total ${this.#lines}`,
      '# HELP facegate_emf_rejected_total Log lines that looked like EMF but could not be read.',
      '# TYPE facegate_emf_rejected_total counter',
      `facegate_emf_rejected_total ${this.#rejected}`,
    ];
    for (const family of this.#families.values()) {
      out.push(
        `# HELP ${family.name} ${family.help}`,
        `# TYPE ${family.name} ${family.histogram ? 'histogram' : 'summary'}`,
      );
      for (const s of family.series.values()) {
        const shown = (value: number) => (s.unseen ? 0 : value);
        s.buckets?.forEach((count, i) =>
          out.push(
            `${family.name}_bucket${labelText(s.labels, ['le', String(LATENCY_BUCKETS_MS[i])])} ${shown(count)}`,
          ),
        );
        if (s.buckets)
          out.push(`${family.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${shown(s.count)}`);
        out.push(
          `${family.name}_sum${labelText(s.labels)} ${shown(s.sum)}`,
          `${family.name}_count${labelText(s.labels)} ${shown(s.count)}`,
        );
        s.unseen = false;
      }
    }
    return `${out.join('\n')}\n`;
  }
}
