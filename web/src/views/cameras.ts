import type { Api } from '../api.ts';
import { h, show } from '../dom.ts';
import { action, errorView } from '../errors.ts';
import type { ViewFactory } from './view.ts';

interface Camera {
  cameraId: string;
  siteId: string;
  name: string;
  status: 'online' | 'offline' | 'connecting';
  width?: number;
  height?: number;
  fps?: number;
  lastSeenAt: string;
}

interface Site {
  siteId: string;
  name: string;
  publicUrl?: string;
  lastSeenAt?: string;
}

interface StreamToken {
  streamUrl: string;
  snapshotUrl: string;
  expiresAt: string;
}

const TOKEN_TTL_SECONDS = 300;

/**
 * Live view of one camera through its site's tunnel: the MJPEG stream in an <img>; when that fails
 * (a proxy that buffers multipart responses, a browser without MJPEG), one snapshot per second.
 * The token is renewed before it expires.
 */
function player(api: Api, camera: Camera) {
  const img = h('img', { class: 'stream', alt: camera.name });
  const mode = h('p', { class: 'muted' }, 'Connecting…');
  const errors = h('div');
  const element = h('div', { class: 'player', 'data-mode': 'connecting' }, img, mode, errors);
  let token: StreamToken | undefined;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const setMode = (name: string, text: string) => {
    element.dataset.mode = name;
    mode.textContent = text;
  };

  async function renew() {
    token = await api.post<StreamToken>(`/v1/cameras/${encodeURIComponent(camera.cameraId)}/stream-token`, {
      siteId: camera.siteId,
      ttlSeconds: TOKEN_TTL_SECONDS,
    });
    const renewIn = Math.max(10_000, Date.parse(token.expiresAt) - Date.now() - 30_000);
    renewTimer = setTimeout(() => {
      renew()
        .then(() => element.dataset.mode === 'stream' && (img.src = token!.streamUrl))
        .catch((error) => show(errors, errorView(error)));
    }, renewIn);
  }

  function pollSnapshots() {
    let failures = 0;
    setMode('snapshot', 'Snapshots every second (the live stream is unavailable).');
    const next = () => {
      if (!stopped) pollTimer = setTimeout(load, 1000);
    };
    const load = () => {
      img.src = `${token!.snapshotUrl}&_=${Date.now()}`;
    };
    img.onload = () => {
      failures = 0;
      setMode(
        'snapshot',
        `Snapshot ${new Date().toLocaleTimeString()} (one per second; the live stream is unavailable).`,
      );
      next();
    };
    img.onerror = () => {
      failures += 1;
      if (failures >= 3) setMode('snapshot', 'The camera is not answering; still trying…');
      next();
    };
    load();
  }

  async function start() {
    await renew();
    img.onload = () => setMode('stream', 'Live (MJPEG)');
    img.onerror = () => {
      if (!stopped) pollSnapshots();
    };
    img.src = token!.streamUrl;
    element.dataset.mode = 'stream';
  }

  start().catch((error) => {
    setMode('failed', '');
    show(errors, errorView(error));
  });

  return {
    element,
    dispose() {
      stopped = true;
      clearTimeout(renewTimer);
      clearTimeout(pollTimer);
      img.onload = img.onerror = null;
      img.removeAttribute('src'); // closes the MJPEG connection
    },
  };
}

export const camerasView: ViewFactory = (api) => {
  const errors = h('div');
  const siteList = h('ul', { class: 'sites' });
  const cameraList = h('div', { class: 'cameras', 'data-testid': 'cameras' });
  const siteName = h('input', {
    type: 'text',
    placeholder: 'Site name',
    maxlength: 64,
    'aria-label': 'Site name',
  });
  const addSite = h('button', { type: 'submit' }, 'Add site');
  const newSite = h('div');
  const refresh = h('button', { type: 'button', class: 'small' }, 'Refresh');
  let watching: (ReturnType<typeof player> & { button: HTMLButtonElement }) | undefined;

  const stopWatching = () => {
    watching?.dispose();
    watching?.element.remove();
    if (watching) watching.button.textContent = 'Watch';
    watching = undefined;
  };

  async function load() {
    const [sites, cameras] = await Promise.all([
      api.get<{ items: Site[] }>('/v1/sites'),
      api.get<{ items: Camera[] }>('/v1/cameras'),
    ]);
    show(
      siteList,
      ...sites.items.map((site) => {
        const siteErrors = h('div');
        const remove = h('button', { type: 'button', class: 'small danger' }, 'Remove');
        action(remove, siteErrors, async () => {
          await api.delete(`/v1/sites/${site.siteId}`);
          await load();
        });
        return h(
          'li',
          { 'data-site-id': site.siteId },
          h('b', {}, site.name),
          h('span', { class: 'muted' }, site.publicUrl ? ` ${site.publicUrl}` : ' not connected yet'),
          remove,
          siteErrors,
        );
      }),
    );
    stopWatching();
    if (cameras.items.length === 0) {
      show(
        cameraList,
        h(
          'p',
          { class: 'muted empty' },
          'No cameras yet. Add a site and start an edge-streamer with its key.',
        ),
      );
      return;
    }
    show(
      cameraList,
      ...cameras.items.map((camera) => {
        const watch = h('button', { type: 'button', class: 'primary' }, 'Watch');
        const card = h(
          'div',
          { class: 'card camera', 'data-camera-id': camera.cameraId },
          h(
            'div',
            { class: 'row spread' },
            h('b', {}, camera.name),
            h('span', { class: `badge ${camera.status}` }, camera.status),
          ),
          h(
            'p',
            { class: 'muted' },
            [
              camera.width && `${camera.width}×${camera.height}`,
              camera.fps && `${camera.fps} fps`,
              `seen ${new Date(camera.lastSeenAt).toLocaleTimeString()}`,
            ]
              .filter(Boolean)
              .join(' · '),
          ),
          watch,
        );
        watch.addEventListener('click', () => {
          const wasThis = watching?.button === watch;
          stopWatching();
          if (wasThis) return;
          watching = { ...player(api, camera), button: watch };
          watch.textContent = 'Stop';
          card.append(watching.element);
        });
        return card;
      }),
    );
  }

  const form = h('form', { class: 'row' }, siteName, addSite);
  form.addEventListener('submit', (event) => event.preventDefault());
  action(addSite, errors, async () => {
    const site = await api.post<{ siteId: string; name: string; edgeKey: string }>('/v1/sites', {
      name: siteName.value.trim(),
    });
    siteName.value = '';
    show(
      newSite,
      h(
        'div',
        { class: 'card notice', 'data-site-id': site.siteId },
        h(
          'p',
          {},
          h('b', {}, `Site “${site.name}” created.`),
          ' Put these in the edge-streamer config; the key is shown only once:',
        ),
        h('p', {}, 'siteId ', h('code', { class: 'site-id' }, site.siteId)),
        h('p', {}, 'edgeKey ', h('code', { class: 'edge-key' }, site.edgeKey)),
      ),
    );
    await load();
  });
  action(refresh, errors, load);
  load().catch((error) => show(errors, errorView(error)));

  return {
    element: h(
      'section',
      { class: 'view' },
      h('div', { class: 'row spread' }, h('h2', {}, 'Cameras'), refresh),
      errors,
      cameraList,
      h('h3', {}, 'Sites'),
      h('p', { class: 'hint' }, 'A site is one edge-streamer next to your cameras.'),
      siteList,
      form,
      newSite,
    ),
    dispose: stopWatching,
  };
};
