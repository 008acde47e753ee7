import { urls } from './stack.ts';

/** `POST /v1/edge/heartbeat` as an edge-streamer sends it, with the site's edge key. */
export const heartbeat = (edgeKey: string, body: unknown) =>
  fetch(`${urls.api}/edge/heartbeat`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${edgeKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
