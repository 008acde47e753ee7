/**
 * Monitoring as code: the CloudFormation resources serverless.yml includes with
 * `${file(./ops/monitoring.cjs)}`. Generated from the function list so that a new function gets its
 * alarms without anyone remembering to add them.
 *
 * - AlarmTopic (SNS): every alarm notifies it on ALARM and on OK; the alertWecom function posts both to
 *   the WeCom group robot.
 * - Per HTTP function: 5xx rate > 5 % over 5 minutes (metric math on the EMF metrics of shared/metrics.ts,
 *   only once the endpoint served ALARM_MIN_REQUESTS requests, so one failure of two calls stays quiet).
 * - Per function: Lambda throttles; for functions without HTTP (S3 event, schedules, alerts): Lambda errors.
 * - API-wide: 5xx rate > 5 % and p95 latency > ALARM_LATENCY_P95_MS (API Gateway's own metrics),
 *   DependencyUnavailable per backing service.
 * - Edge: a site went silent (SitesWentOffline from the edgeSweep function), and, if
 *   ALARM_EDGE_HEARTBEAT=true, no edge heartbeat at all in 5 minutes.
 * - A CloudWatch dashboard and saved Logs Insights queries (errors by code, slowest requests, the trail
 *   of one request id, the trail of one user).
 *
 * Metric names and dimensions must match shared/metrics.ts.
 */

const NAMESPACE = 'Facegate';
const SERVICE = 'facegate-api';
const FIVE_MINUTES = 300;
const DEPENDENCIES = ['dynamodb', 'redis', 's3'];

/** Serverless's logical id of a function (`facesDetect` -> `FacesDetect`...). */
const logicalName = (key) =>
  key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');

/** The route key API Gateway puts in each event (and shared/metrics.ts uses as `endpoint`). */
function routeKeyOf(fn) {
  const event = (fn.events ?? []).find((e) => e.httpApi);
  if (!event) return undefined;
  if (event.httpApi === '*') return 'ANY *';
  return `${event.httpApi.method.toUpperCase()} ${event.httpApi.path}`;
}

const metric = (id, namespace, name, dimensions, stat = 'Sum') => ({
  Id: id,
  ReturnData: false,
  MetricStat: {
    Metric: {
      Namespace: namespace,
      MetricName: name,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: FIVE_MINUTES,
    Stat: stat,
  },
});

/** ALARM and OK both reach the topic, so recoveries are announced too. */
const notifying = (properties) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    ActionsEnabled: true,
    AlarmActions: [{ Ref: 'AlarmTopic' }],
    OKActions: [{ Ref: 'AlarmTopic' }],
    ...properties,
  },
});

/** errors / requests in percent over 5 minutes, once requests reach `minRequests`. */
function errorRateAlarm(name, description, errors, requests, minRequests) {
  return notifying({
    AlarmName: name,
    AlarmDescription: description,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 5,
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
    Metrics: [
      errors,
      requests,
      {
        Id: 'rate',
        Label: 'error rate (%)',
        Expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
        ReturnData: true,
      },
    ],
  });
}

/** Alarms when a metric counts anything within 5 minutes (its Sum is above 0); quiet periods are OK. */
function anyInFiveMinutes(alarmName, description, namespace, metricName, dimensions) {
  return notifying({
    AlarmName: alarmName,
    AlarmDescription: description,
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: dimensions,
    Statistic: 'Sum',
    Period: FIVE_MINUTES,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  });
}

/** A function's AWS/Lambda metric (Throttles, Errors). */
const anyLambdaEvent = (alarmName, description, metricName, functionName) =>
  anyInFiveMinutes(alarmName, description, 'AWS/Lambda', metricName, [
    { Name: 'FunctionName', Value: functionName },
  ]);

function functionAlarms(key, fn, prefix, minRequests) {
  const name = logicalName(key);
  const functionName = { Ref: `${name}LambdaFunction` };
  const resources = {
    [`${name}ThrottlesAlarm`]: anyLambdaEvent(
      `${prefix}-${key}-throttles`,
      `Lambda throttled ${key} (concurrency limit reached).`,
      'Throttles',
      functionName,
    ),
  };
  const endpoint = routeKeyOf(fn);
  if (endpoint) {
    const dimensions = { service: SERVICE, endpoint };
    resources[`${name}ErrorRateAlarm`] = errorRateAlarm(
      `${prefix}-${key}-error-rate`,
      `More than 5 % of ${endpoint} requests answered 5xx over 5 minutes.`,
      metric('errors', NAMESPACE, '5xx', dimensions),
      metric('requests', NAMESPACE, 'Requests', dimensions),
      minRequests,
    );
  } else {
    resources[`${name}ErrorsAlarm`] = anyLambdaEvent(
      `${prefix}-${key}-errors`,
      `${key} failed (an invocation ended in an error).`,
      'Errors',
      functionName,
    );
  }
  return resources;
}

function apiAlarms(prefix, settings) {
  const api = { ApiId: { Ref: 'HttpApi' } };
  const resources = {
    ApiErrorRateAlarm: errorRateAlarm(
      `${prefix}-api-error-rate`,
      'More than 5 % of all API requests answered 5xx over 5 minutes.',
      metric('errors', 'AWS/ApiGateway', '5xx', api),
      metric('requests', 'AWS/ApiGateway', 'Count', api),
      settings.minRequests,
    ),
    ApiLatencyAlarm: notifying({
      AlarmName: `${prefix}-api-latency-p95`,
      AlarmDescription: `p95 API latency above ${settings.latencyP95Ms} ms for 10 minutes.`,
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      ExtendedStatistic: 'p95',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 2,
      Threshold: settings.latencyP95Ms,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  };
  for (const dependency of DEPENDENCIES) {
    resources[`Dependency${logicalName(dependency)}Alarm`] = notifying({
      AlarmName: `${prefix}-dependency-${dependency}`,
      AlarmDescription: `Requests answered 503 DEPENDENCY_UNAVAILABLE because ${dependency} failed.`,
      Namespace: NAMESPACE,
      MetricName: 'DependencyUnavailable',
      Dimensions: [
        { Name: 'service', Value: SERVICE },
        { Name: 'dependency', Value: dependency },
      ],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 1,
      Threshold: settings.dependencyFailures,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  }
  return resources;
}

function edgeAlarms(prefix, settings) {
  const resources = {
    // The edgeSweep function counts the sites it marked offline (0 on a quiet run). OK returns after a
    // 5-minute period in which no further site went silent, whether or not the site came back.
    EdgeSitesOfflineAlarm: anyInFiveMinutes(
      `${prefix}-edge-sites-offline`,
      'An edge site stopped sending heartbeats: its cameras were marked offline.',
      NAMESPACE,
      'SitesWentOffline',
      [{ Name: 'service', Value: SERVICE }],
    ),
  };
  if (settings.edgeHeartbeat) {
    // The whole fleet silent (every site down, or none can reach the API): stays in ALARM for as long as
    // it lasts, where the per-site alarm above returns to OK after 5 quiet minutes. Opt-in, since a
    // deployment without sites would be in ALARM for ever. Missing data is breaching: silence is the symptom.
    resources.EdgeHeartbeatAlarm = notifying({
      AlarmName: `${prefix}-edge-heartbeat-stopped`,
      AlarmDescription: 'No edge site sent a heartbeat in 5 minutes.',
      Namespace: NAMESPACE,
      MetricName: 'Requests',
      Dimensions: [
        { Name: 'service', Value: SERVICE },
        { Name: 'endpoint', Value: 'POST /v1/edge/heartbeat' },
      ],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  }
  return resources;
}

/** The Logs Insights queries operators start from; they read the Powertools JSON of shared/log.ts. */
const QUERIES = {
  'errors-by-code': `fields @timestamp, errorCode, status, path
| filter message = "request" and ispresent(errorCode)
| stats count(*) as requests by errorCode, status
| sort requests desc`,
  'slowest-requests': `fields @timestamp, method, path, status, ms, requestId, cold_start
| filter message = "request"
| sort ms desc
| limit 50`,
  'request-trail': `fields @timestamp, level, message, function_name, status, errorCode, dependency, ms
| filter requestId = "REPLACE-WITH-X-Request-Id" or function_request_id = "REPLACE-WITH-X-Request-Id"
| sort @timestamp asc`,
  'user-trail': `fields @timestamp, method, path, status, errorCode, ms, requestId
| filter message = "request" and userId = "REPLACE-WITH-userId"
| sort @timestamp desc
| limit 200`,
};

/** Each query reads every function's log group; DependsOn: CloudFormation creates the groups first. */
function queries(prefix, logGroups, logGroupIds) {
  return Object.fromEntries(
    Object.entries(QUERIES).map(([name, queryString]) => [
      `Query${name.split('-').map(logicalName).join('')}`,
      {
        Type: 'AWS::Logs::QueryDefinition',
        DependsOn: logGroupIds,
        Properties: { Name: `${prefix}/${name}`, LogGroupNames: logGroups, QueryString: queryString },
      },
    ]),
  );
}

/** Widgets: traffic and errors per endpoint, latency, face engine, caches and limits, liveness, edge, alarms. */
function dashboard(prefix, alarmNames, firstLogGroup) {
  const search = (metricName, dims, stat) => ({
    expression: `SEARCH('{${NAMESPACE},${dims}} MetricName="${metricName}"', '${stat}', 300)`,
  });
  const graph = (title, metrics, x, y, extra = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: {
      title,
      region: '${AWS::Region}',
      view: 'timeSeries',
      stat: 'Sum',
      period: 300,
      metrics,
      ...extra,
    },
  });
  const widgets = [
    {
      type: 'alarm',
      x: 0,
      y: 0,
      width: 24,
      height: 3,
      properties: {
        title: 'Alarms',
        alarms: alarmNames.map(
          (name) => `arn:aws:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${name}`,
        ),
      },
    },
    graph('Requests per endpoint', [[search('Requests', 'service,endpoint', 'Sum')]], 0, 3),
    graph('5xx per endpoint', [[search('5xx', 'service,endpoint', 'Sum')]], 12, 3),
    graph('4xx per endpoint', [[search('4xx', 'service,endpoint', 'Sum')]], 0, 9),
    graph('p95 latency per endpoint (ms)', [[search('Latency', 'service,endpoint', 'p95')]], 12, 9),
    graph(
      'Face inference (ms, p50 and p95)',
      [
        [NAMESPACE, 'FaceInferenceMs', 'service', SERVICE, 'operation', 'detect', { stat: 'p50' }],
        ['...', { stat: 'p95' }],
      ],
      0,
      15,
    ),
    graph(
      'Result cache',
      [[search('CacheHits', 'service,kind', 'Sum')], [search('CacheMisses', 'service,kind', 'Sum')]],
      12,
      15,
    ),
    graph('Rate-limit rejections', [[search('RateLimitRejections', 'service,code', 'Sum')]], 0, 21),
    graph(
      'Liveness pass / fail',
      [[search('LivenessPass', 'service,check', 'Sum')], [search('LivenessFail', 'service,check', 'Sum')]],
      12,
      21,
    ),
    graph(
      'Search gallery: faces (max) and load time (p95 ms)',
      [
        [NAMESPACE, 'GallerySize', 'service', SERVICE, { stat: 'Maximum' }],
        [NAMESPACE, 'GalleryLoadMs', 'service', SERVICE, { stat: 'p95', yAxis: 'right' }],
      ],
      0,
      27,
    ),
    graph(
      'Dependencies unavailable (503)',
      [[search('DependencyUnavailable', 'service,dependency', 'Sum')]],
      12,
      27,
    ),
    graph(
      'Edge sites gone offline (per 5 min)',
      [[NAMESPACE, 'SitesWentOffline', 'service', SERVICE]],
      0,
      33,
    ),
    {
      type: 'log',
      x: 0,
      y: 39,
      width: 24,
      height: 6,
      properties: {
        title: 'Errors by code (one function; the saved queries cover all)',
        region: '${AWS::Region}',
        view: 'table',
        query: `SOURCE '${firstLogGroup}' | ${QUERIES['errors-by-code'].replace(/\n/g, ' ')}`,
      },
    },
  ];
  return {
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: prefix,
        DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
      },
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const functions = await resolveVariable('self:functions');
  // Numbers and a boolean, validated by ops/alarm-settings.cjs.
  const settings = await resolveVariable('self:custom.alarms');
  const prefix = `${service}-${stage}`;

  const resources = {
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${prefix}-alarms`, DisplayName: `${prefix} alarms` },
    },
    ...apiAlarms(prefix, settings),
    ...edgeAlarms(prefix, settings),
  };
  for (const [key, fn] of Object.entries(functions))
    Object.assign(resources, functionAlarms(key, fn, prefix, settings.minRequests));

  const alarmNames = Object.values(resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties.AlarmName);
  const logGroups = Object.keys(functions).map((key) => `/aws/lambda/${prefix}-${key}`);
  const logGroupIds = Object.keys(functions).map((key) => `${logicalName(key)}LogGroup`);
  Object.assign(
    resources,
    queries(prefix, logGroups, logGroupIds),
    dashboard(prefix, alarmNames.slice(0, 100), logGroups[0]),
  );
  return { Resources: resources, Outputs: { AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } } } };
};
