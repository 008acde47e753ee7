import type { ApiResponse } from '../../shared/client/client.ts';
import { h } from './dom.ts';

/** An API error as the contract defines it, or a transport failure (status 0) described the same way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromResponse(res: ApiResponse): ApiError {
    const error = (res.body as { error?: Partial<ApiError> & { requestId?: string } } | undefined)?.error;
    if (error?.code && error.message) {
      return new ApiError(res.status, error.code, error.message, error.details, error.requestId);
    }
    // Not the contract's shape: a gateway or proxy answered.
    return new ApiError(
      res.status,
      `HTTP_${res.status}`,
      `The server answered ${res.status} without an error description.`,
    );
  }
}

/** Throws the API's error unless the status is 2xx. */
export function ok<T>(res: ApiResponse): T {
  if (res.status < 200 || res.status > 299) throw ApiError.fromResponse(res);
  return res.body as T;
}

const words = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const readable = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : Array.isArray(value)
      ? value.map(readable).join(', ')
      : value && typeof value === 'object'
        ? Object.entries(value)
            .map(([k, v]) => `${words(k)}: ${readable(v)}`)
            .join('; ')
        : '';

/** A readable error box: message, code, each invalid field and any other details; never raw JSON. */
export function errorView(error: unknown): HTMLElement {
  if (!(error instanceof ApiError)) {
    return h(
      'div',
      { class: 'error', role: 'alert' },
      h('strong', {}, (error as Error)?.message ?? String(error)),
    );
  }
  const { fields, ...rest } = (error.details ?? {}) as { fields?: Record<string, string> };
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-code': error.code },
    h('strong', {}, error.message),
    ' ',
    h('code', {}, error.code),
    fields &&
      h(
        'ul',
        { class: 'fields' },
        ...Object.entries(fields).map(([field, why]) => h('li', {}, h('b', {}, field), ` ${why}`)),
      ),
    Object.keys(rest).length > 0 && h('p', { class: 'details' }, readable(rest)),
    error.requestId && h('p', { class: 'request-id' }, `request ${error.requestId}`),
  );
}

/** Runs a button's async action: disabled meanwhile, failures shown in `errorBox`. */
export function action(button: HTMLButtonElement, errorBox: HTMLElement, run: () => Promise<void>): void {
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.classList.add('busy');
    errorBox.replaceChildren();
    try {
      await run();
    } catch (error) {
      errorBox.replaceChildren(errorView(error));
    } finally {
      button.disabled = false;
      button.classList.remove('busy');
    }
  });
}
