import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/**
 * What the packaged CloudFormation template must hold for operations (ops/monitoring.cjs): the alarm
 * topic with the alert function subscribed, the error-rate alarms (API-wide and per endpoint, as metric
 * math), latency, throttle, dependency and edge-site alarms that notify the topic on ALARM and OK, the
 * scheduled edge sweep, the dashboard and the saved Logs Insights queries.
 */
interface Resource {
  Type: string;
  Properties: Record<string, any>;
}

export function assertMonitoring(templateFile: string): void {
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, Resource> };
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  assert.equal(resources.AlarmTopic?.Type, 'AWS::SNS::Topic');
  const subscriptions = ofType('AWS::SNS::Subscription').map(([, r]) => r.Properties);
  assert.ok(
    subscriptions.some(
      (s) =>
        s.Protocol === 'lambda' &&
        s.TopicArn?.Ref === 'AlarmTopic' &&
        JSON.stringify(s.Endpoint).includes('AlertWecomLambdaFunction'),
    ),
    'the alert function is subscribed to the alarm topic',
  );
  assert.equal(resources.AlertWecomLambdaFunction?.Type, 'AWS::Lambda::Function');

  const alarms = new Map(ofType('AWS::CloudWatch::Alarm'));
  for (const [, alarm] of alarms) {
    assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: 'AlarmTopic' }], alarm.Properties.AlarmName);
    assert.deepEqual(alarm.Properties.OKActions, [{ Ref: 'AlarmTopic' }], alarm.Properties.AlarmName);
  }
  const rate = (id: string) => {
    const alarm = alarms.get(id);
    assert.ok(alarm, id);
    assert.equal(alarm.Properties.Threshold, 5);
    const expression = alarm.Properties.Metrics.find((m: any) => m.Expression);
    assert.match(expression.Expression, /100 \* errors \/ requests/);
    return Object.fromEntries(
      alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]),
    );
  };
  const api = rate('ApiErrorRateAlarm');
  assert.equal(api.errors.Metric.Namespace, 'AWS/ApiGateway');
  assert.equal(api.errors.Period, 300);
  const detect = rate('FacesDetectErrorRateAlarm');
  assert.equal(detect.errors.Metric.Namespace, 'Facegate');
  assert.equal(detect.errors.Metric.MetricName, '5xx');
  assert.deepEqual(detect.requests.Metric.Dimensions, [
    { Name: 'service', Value: 'facegate-api' },
    { Name: 'endpoint', Value: 'POST /v1/faces/detect' },
  ]);
  assert.equal(alarms.get('ApiLatencyAlarm')?.Properties.ExtendedStatistic, 'p95');
  assert.equal(alarms.get('ApiLatencyAlarm')?.Properties.Threshold, 3000);
  assert.equal(alarms.get('FacesDetectThrottlesAlarm')?.Properties.MetricName, 'Throttles');
  assert.equal(alarms.get('UploadsSweepErrorsAlarm')?.Properties.MetricName, 'Errors');
  // The edge sweep runs on a schedule; an alarm watches the sites it marks offline.
  assert.equal(resources.EdgeSweepLambdaFunction?.Type, 'AWS::Lambda::Function');
  assert.ok(
    ofType('AWS::Events::Rule').some(
      ([, r]) =>
        r.Properties.ScheduleExpression === 'rate(1 minute)' &&
        JSON.stringify(r.Properties.Targets).includes('EdgeSweepLambdaFunction'),
    ),
    'the edge sweep is scheduled every minute',
  );
  assert.equal(alarms.get('EdgeSweepErrorsAlarm')?.Properties.MetricName, 'Errors');
  const sitesOffline = alarms.get('EdgeSitesOfflineAlarm')?.Properties;
  assert.equal(sitesOffline?.MetricName, 'SitesWentOffline');
  assert.equal(sitesOffline?.Namespace, 'Facegate');
  assert.equal(sitesOffline?.Threshold, 0);
  assert.equal(sitesOffline?.TreatMissingData, 'notBreaching');
  for (const dependency of ['Dynamodb', 'Redis', 'S3'])
    assert.equal(alarms.get(`Dependency${dependency}Alarm`)?.Properties.MetricName, 'DependencyUnavailable');
  // Every function has a throttle alarm; every HTTP function an error-rate alarm.
  // (Not the framework's own custom-resource function, CustomDashresource...)
  const functions = ofType('AWS::Lambda::Function')
    .map(([id]) => id.replace(/LambdaFunction$/, ''))
    .filter((id) => !id.startsWith('CustomDash'));
  for (const fn of functions) assert.ok(alarms.has(`${fn}ThrottlesAlarm`), `${fn} throttles alarm`);

  const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
  assert.ok(dashboard, 'a dashboard');
  const body = dashboard.Properties.DashboardBody['Fn::Sub'];
  const widgets = JSON.parse(body).widgets as { properties: { title: string } }[];
  const titles = widgets.map((w) => w.properties.title);
  for (const title of [
    'Requests per endpoint',
    '5xx per endpoint',
    'Face inference (ms, p50 and p95)',
    'Rate-limit rejections',
    'Edge sites gone offline (per 5 min)',
  ])
    assert.ok(titles.includes(title), title);

  const queries = ofType('AWS::Logs::QueryDefinition').map(([, r]) => r.Properties);
  assert.deepEqual(queries.map((q) => q.Name.split('/')[1]).sort(), [
    'errors-by-code',
    'request-trail',
    'slowest-requests',
    'user-trail',
  ]);
  for (const query of queries) assert.equal(query.LogGroupNames.length, functions.length);
}
