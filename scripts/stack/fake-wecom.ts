import http from 'node:http';
import { apiEnv, ports } from './env.ts';

/**
 * Stand-in for the WeCom (企业微信) group robot webhook, `POST /cgi-bin/webhook/send?key=<key>`, answering
 * like the real one: HTTP 200 with `{"errcode","errmsg"}`. It accepts text and markdown messages for the
 * key the local stack configures (apiEnv.WECOM_WEBHOOK_KEY) and keeps WeCom's documented limits:
 *
 *   93000 invalid webhook url (unknown or missing key)    40008 invalid message type
 *   44004 empty content / 40058 content over 4096 bytes   45009 over 20 messages per minute per key
 *   40035 invalid parameter (body is not JSON)
 *
 * Local-only additions, for tests and `npm start` users: `GET /messages` lists what was delivered, and
 * the key `busy` always answers -1 (system busy).
 */

const MESSAGES_PER_MINUTE = 20;
const MAX_CONTENT_BYTES = 4096;

interface Delivered {
  at: string;
  msgtype: string;
  content: string;
}
const delivered: Delivered[] = [];
const sentPerMinute = new Map<string, number>();

type Reply = { errcode: number; errmsg: string };
const reply = (errcode: number, errmsg: string): Reply => ({ errcode, errmsg });

function send(key: string | null, rawBody: string): Reply {
  if (key === 'busy') return reply(-1, 'system busy');
  if (key !== apiEnv.WECOM_WEBHOOK_KEY) return reply(93000, 'invalid webhook url, hint: key is invalid');
  let body: { msgtype?: string; text?: { content?: string }; markdown?: { content?: string } };
  try {
    body = JSON.parse(rawBody);
  } catch {
    return reply(40035, 'invalid parameter, hint: body is not json');
  }
  if (body.msgtype !== 'text' && body.msgtype !== 'markdown') return reply(40008, 'invalid message type');
  const content = body[body.msgtype]?.content ?? '';
  if (!content) return reply(44004, 'empty content');
  if (Buffer.byteLength(content) > MAX_CONTENT_BYTES) return reply(40058, 'content exceed max length');
  const minute = `${key}:${Math.floor(Date.now() / 60_000)}`;
  const sent = sentPerMinute.get(minute) ?? 0;
  if (sent >= MESSAGES_PER_MINUTE) return reply(45009, 'api freq out of limit');
  sentPerMinute.set(minute, sent + 1);
  delivered.push({ at: new Date().toISOString(), msgtype: body.msgtype, content });
  return reply(0, 'ok');
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const json = (status: number, value: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
  if (req.method === 'GET' && url.pathname === '/messages') return json(200, delivered);
  if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send')
    return json(404, { error: 'not found' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = send(url.searchParams.get('key'), Buffer.concat(chunks).toString('utf8'));
    console.log(`webhook/send -> ${JSON.stringify(answer)}`);
    json(200, answer);
  });
});

server.listen(ports.wecom, '127.0.0.1', () => console.log(`fake WeCom robot listening on ${ports.wecom}`));
