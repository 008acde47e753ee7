/** A tiny element builder: enough DOM for a console without a UI framework. */

export type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | undefined | ((event: Event) => void);

const nodes = (children: Child[]): (Node | string)[] =>
  children.flatMap((c) =>
    c === null || c === undefined || c === false ? [] : [typeof c === 'number' ? String(c) : c],
  );

/** `h('button', { class: 'primary', onclick: go }, 'Go')`; `on*` attributes become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
  el.append(...nodes(children));
  return el;
}

/** Replaces an element's content. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...nodes(children));
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
