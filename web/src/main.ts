import { FacegateClient, type Session } from '../../shared/client/client.ts';
import { Api, signIn } from './api.ts';
import { solveInWorker } from './pow.ts';
import { h, show } from './dom.ts';
import { action, errorView } from './errors.ts';
import { camerasView } from './views/cameras.ts';
import { captchaView } from './views/captcha.ts';
import { compareView } from './views/compare.ts';
import { detectView } from './views/detect.ts';
import { livenessView } from './views/liveness.ts';
import { personsView } from './views/persons.ts';
import { searchView } from './views/search.ts';
import type { View, ViewFactory } from './views/view.ts';

/**
 * facegate web console: sign in, then one screen per feature, chosen by the URL hash (#detect, …) so
 * it is a plain static site. The API base comes from `?api=` or config.json (see web/README.md).
 */

const routes: { hash: string; title: string; view: ViewFactory }[] = [
  { hash: 'detect', title: 'Detect', view: detectView },
  { hash: 'compare', title: 'Compare', view: compareView },
  { hash: 'people', title: 'People', view: personsView },
  { hash: 'search', title: 'Search', view: searchView },
  { hash: 'liveness', title: 'Liveness', view: livenessView },
  { hash: 'captcha', title: 'Captcha', view: captchaView },
  { hash: 'cameras', title: 'Cameras', view: camerasView },
];

const SESSION_KEY = 'facegate.session';
/** The "Sealed" choice (payload encryption), remembered per browser; on unless turned off. */
const SEALED_KEY = 'facegate.sealed';
const root = document.getElementById('app')!;

async function apiBaseUrl(): Promise<string> {
  const fromQuery = new URLSearchParams(location.search).get('api');
  if (fromQuery) return fromQuery.replace(/\/+$/, '');
  const res = await fetch('config.json', { cache: 'no-store' }).catch(() => undefined);
  const config = res?.ok ? ((await res.json().catch(() => ({}))) as { apiBaseUrl?: string }) : {};
  // No configuration: the API is served from the console's own origin (one CloudFront distribution).
  return (config.apiBaseUrl || location.origin).replace(/\/+$/, '');
}

interface StoredSession {
  baseUrl: string;
  session: Session;
}

function storedApi(baseUrl: string): Api | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as StoredSession | null;
    if (stored?.baseUrl !== baseUrl || Date.parse(stored.session.expiresAt) < Date.now() + 60_000)
      return undefined;
    return new Api(
      new FacegateClient(baseUrl, stored.session, {
        encryptPayloads: sealedChoice(),
        powSolver: solveInWorker,
      }),
    );
  } catch {
    return undefined;
  }
}

const sealedChoice = () => localStorage.getItem(SEALED_KEY) !== 'off';

/**
 * "Sealed": request and response bodies also encrypted with the session's key (X-Payload-Encryption),
 * so a TLS-terminating proxy or a logging gateway sees envelopes, not faces and names.
 */
function sealedToggle(api: Api): HTMLElement {
  const box = h('input', { type: 'checkbox', name: 'sealed' });
  box.checked = api.client.encryptPayloads;
  box.addEventListener('change', () => {
    api.client.encryptPayloads = box.checked;
    localStorage.setItem(SEALED_KEY, box.checked ? 'on' : 'off');
  });
  return h(
    'label',
    {
      class: 'sealed',
      title: 'Encrypt request and response bodies with a key from this session (AES-256-GCM), on top of TLS',
    },
    box,
    'Sealed',
  );
}

function signInScreen(baseUrl: string, done: (api: Api) => void): HTMLElement {
  const code = h('input', {
    type: 'text',
    name: 'code',
    value: 'test:',
    autocomplete: 'username',
    autocapitalize: 'off',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const errors = h('div');
  const form = h('form', { class: 'signin card' }, h('label', {}, 'WeChat login code', code), submit, errors);
  form.addEventListener('submit', (event) => event.preventDefault());
  action(submit, errors, async () => done(await signIn(baseUrl, code.value.trim(), sealedChoice())));
  return h(
    'main',
    { class: 'signin-page' },
    h('h1', {}, 'facegate'),
    h(
      'p',
      { class: 'hint' },
      'Face recognition and cameras. On the local stack the fake WeChat login takes ',
      h('code', {}, 'test:<name>'),
      '.',
    ),
    form,
    h('p', { class: 'muted small' }, `API ${baseUrl}`),
  );
}

function consoleScreen(api: Api, signOut: () => void): { element: HTMLElement; leave: () => void } {
  const main = h('main', { class: 'content' });
  const who = h('span', { class: 'who' }, api.session.userId);
  const nav = h(
    'nav',
    { class: 'tabs' },
    ...routes.map((r) => h('a', { href: `#${r.hash}`, 'data-route': r.hash }, r.title)),
  );
  let current: View | undefined;

  const refreshQuota = () =>
    api
      .get<{ userId: string; quota: { dailyLimit: number; usedToday: number } }>('/v1/me')
      .then((me) => (who.textContent = `${me.userId} · ${me.quota.usedToday}/${me.quota.dailyLimit} today`))
      .catch(() => {});

  function route() {
    const wanted = location.hash.slice(1);
    const target = routes.find((r) => r.hash === wanted) ?? routes[0]!;
    current?.dispose?.();
    nav.querySelectorAll('a').forEach((link) => {
      link.classList.toggle('active', link.dataset.route === target.hash);
      // The tab bar scrolls sideways on a phone: keep the current tab in sight.
      if (link.dataset.route === target.hash) link.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    });
    try {
      current = target.view(api);
      show(main, current.element);
    } catch (error) {
      current = undefined;
      show(main, errorView(error));
    }
    document.title = `${target.title} · facegate`;
    void refreshQuota();
  }
  window.onhashchange = route;
  route();

  const leave = () => {
    window.onhashchange = null;
    current?.dispose?.();
  };
  const element = h(
    'div',
    { class: 'shell' },
    h(
      'header',
      {},
      h('a', { class: 'brand', href: '#detect' }, 'facegate'),
      who,
      sealedToggle(api),
      h('button', { type: 'button', class: 'small', onclick: signOut }, 'Sign out'),
    ),
    nav,
    main,
  );
  return { element, leave };
}

async function start() {
  if (!globalThis.crypto?.subtle) {
    show(
      root,
      errorView(
        new Error(
          'This page must be opened over HTTPS or from localhost: browsers offer Web Crypto, which signs every request, only there.',
        ),
      ),
    );
    return;
  }
  const baseUrl = await apiBaseUrl();
  let leaveConsole = () => {};
  const signOut = () => {
    leaveConsole();
    localStorage.removeItem(SESSION_KEY);
    show(root, signInScreen(baseUrl, signedIn));
  };
  const signedIn = (api: Api) => {
    localStorage.setItem(
      SESSION_KEY,
      JSON.stringify({ baseUrl, session: api.session } satisfies StoredSession),
    );
    api.onSignedOut = signOut;
    const screen = consoleScreen(api, signOut);
    leaveConsole = screen.leave;
    show(root, screen.element);
  };
  const api = storedApi(baseUrl);
  if (api) signedIn(api);
  else signOut();
}

void start();
