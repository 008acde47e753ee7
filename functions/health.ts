import { api } from '../shared/http/api.ts';
import { checkHealth } from '../shared/health/dependencies.ts';

export const handler = api({ auth: 'none' }, async () => {
  const report = await checkHealth();
  return {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
    body: report,
  };
});
