import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { apiEnv, repoRoot } from './env.ts';
import { bucketCorsRules, tableDefinition, tableTtlAttribute } from './resources.ts';

// The local stack must create what AWS gets: compares resources.ts with serverless.yml as the
// framework resolves it (`serverless print`), so variables and defaults are applied as in a deploy.

const serverlessYml = path.join(repoRoot, 'serverless.yml');

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}

async function declaredResources(): Promise<CfnResource[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'print', '--format', 'json'],
    { cwd: repoRoot, env: { ...process.env, ...apiEnv, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 << 20 },
  );
  const config = JSON.parse(stdout) as { resources?: { Resources?: Record<string, CfnResource> } };
  return Object.values(config.resources?.Resources ?? {});
}

const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
  String(a.AttributeName).localeCompare(String(b.AttributeName));

test(
  'serverless.yml declares the table and bucket CORS the local stack creates',
  {
    skip: !existsSync(serverlessYml) && 'no serverless.yml yet',
  },
  async () => {
    const resources = await declaredResources();
    const tables = resources.filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    assert.equal(tables.length, 1, 'one DynamoDB table');
    const declared = tables[0]!.Properties;
    const expected = tableDefinition(apiEnv.TABLE_NAME);

    assert.equal(declared.BillingMode, expected.BillingMode);
    assert.deepEqual(
      [...(declared.AttributeDefinitions as { AttributeName: string }[])].sort(byName),
      [...expected.AttributeDefinitions!].sort(byName),
    );
    assert.deepEqual(declared.KeySchema, expected.KeySchema);
    assert.deepEqual(declared.GlobalSecondaryIndexes, expected.GlobalSecondaryIndexes);
    assert.deepEqual(declared.TimeToLiveSpecification, { AttributeName: tableTtlAttribute, Enabled: true });

    const buckets = resources.filter((resource) => resource.Type === 'AWS::S3::Bucket');
    assert.equal(buckets.length, 1, 'one S3 bucket');
    const cors = buckets[0]!.Properties.CorsConfiguration as { CorsRules: Record<string, unknown>[] };
    // CloudFormation spells two of the S3 API's CORS fields differently.
    const asApiRules = cors.CorsRules.map(({ ExposedHeaders, MaxAge, ...rest }) => ({
      ...rest,
      ExposeHeaders: ExposedHeaders,
      MaxAgeSeconds: MaxAge,
    }));
    assert.deepEqual(asApiRules, bucketCorsRules);
  },
);
