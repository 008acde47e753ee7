import { api } from '../shared/http/api.ts';
import { checkDependencies } from '../shared/health/dependencies.ts';

export const handler = api({ auth: 'none' }, async () => {
  const dependencies = await checkDependencies();
  const ok = Object.values(dependencies).every((s) => s === 'ok');
  return {
    status: ok ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
    body: { status: ok ? 'ok' : 'degraded', dependencies },
  };
});
