import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { apiEnv, ports } from './env.ts';

/**
 * Stand-in for WeChat's `GET /sns/jscode2session` (auth.code2Session), answering like the real one:
 * HTTP 200 with either `{"openid","session_key"}` or `{"errcode","errmsg"}`.
 *
 * Codes: `test:<name>` logs in as openid `<name>`; `rate-limit`, `risky`, `busy`, `used` and
 * `test-error:<errcode>` produce WeChat's documented errors; anything else is an invalid code (40029).
 */

const documentedErrors = new Map<number, string>([
  [-1, 'system error'],
  [40029, 'invalid code'],
  [40163, 'code been used'],
  [40226, 'code blocked'],
  [45011, 'api minute-quota reach limit mustslower retry next minute'],
]);

const errorAliases: Record<string, number> = { busy: -1, used: 40163, risky: 40226, 'rate-limit': 45011 };

type Reply = { openid: string; session_key: string } | { errcode: number; errmsg: string };

function error(errcode: number, errmsg = documentedErrors.get(errcode) ?? 'invalid code'): Reply {
  // Real errmsg values end with a request id, so clients must branch on errcode, never on the text.
  return { errcode, errmsg: `${errmsg}, rid: ${randomBytes(8).toString('hex')}` };
}

function code2Session(query: URLSearchParams): Reply {
  const appid = query.get('appid');
  const secret = query.get('secret');
  const code = query.get('js_code');
  if (!appid) return error(41002, 'appid missing');
  if (!secret) return error(41004, 'appsecret missing');
  if (!code) return error(41008, 'missing code');
  if (query.get('grant_type') !== 'authorization_code') return error(40002, 'invalid grant_type');
  if (appid !== apiEnv.WECHAT_APP_ID) return error(40013, 'invalid appid');
  if (secret !== apiEnv.WECHAT_APP_SECRET) return error(40125, 'invalid appsecret');

  const name = code.startsWith('test:') ? code.slice('test:'.length) : '';
  if (name) return { openid: name, session_key: randomBytes(16).toString('base64') };

  const alias = errorAliases[code];
  if (alias !== undefined) return error(alias);
  const requested = code.startsWith('test-error:') ? Number(code.slice('test-error:'.length)) : NaN;
  return error(documentedErrors.has(requested) ? requested : 40029);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') {
    res.writeHead(404).end('not found');
    return;
  }
  const reply = code2Session(url.searchParams);
  console.log(`jscode2session js_code=${url.searchParams.get('js_code')} -> ${JSON.stringify(reply)}`);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply));
});

server.listen(ports.wechat, '127.0.0.1', () => console.log(`fake WeChat listening on ${ports.wechat}`));
