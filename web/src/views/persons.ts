import type { Api } from '../api.ts';
import { fmt, h, show } from '../dom.ts';
import { action, errorView } from '../errors.ts';
import { photoPicker, type PhotoPicker } from '../photo.ts';
import type { ViewFactory } from './view.ts';

interface Person {
  personId: string;
  name: string;
  faceCount: number;
  createdAt: string;
  updatedAt: string;
}

interface PersonFace {
  faceId: string;
  createdAt: string;
  quality?: { faceSize?: number; sharpness?: number; brightness?: number };
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** A delete button that asks once more in place (no window.confirm: it blocks, and phones style it badly). */
function confirmButton(label: string, run: () => Promise<void>, errors: HTMLElement): HTMLElement {
  const first = h('button', { type: 'button', class: 'danger' }, label);
  const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, delete');
  const no = h('button', { type: 'button' }, 'Cancel');
  const ask = h('span', { class: 'confirm', hidden: true }, yes, no);
  first.addEventListener('click', () => {
    first.hidden = true;
    ask.hidden = false;
  });
  no.addEventListener('click', () => {
    first.hidden = false;
    ask.hidden = true;
  });
  action(yes, errors, run);
  return h('span', {}, first, ask);
}

/** Detail panel of one person: rename, delete, faces (remove one), enrol a new face from a photo. */
function personPanel(api: Api, personId: string, changed: () => Promise<void>, closed: () => void) {
  let enrolPicker: PhotoPicker | undefined;
  const element = h('div', { class: 'card person', 'data-person-id': personId }, 'Loading…');

  async function render() {
    const person = await api.get<Person & { faces: PersonFace[] }>(`/v1/persons/${personId}`);
    const errors = h('div');
    const name = h('input', { type: 'text', value: person.name, maxlength: 64, 'aria-label': 'Name' });
    const rename = h('button', { type: 'button' }, 'Rename');
    action(rename, errors, async () => {
      await api.patch(`/v1/persons/${personId}`, { name: name.value.trim() });
      await changed();
      await render();
    });
    const remove = confirmButton(
      'Delete person',
      async () => {
        await api.delete(`/v1/persons/${personId}`);
        closed();
        await changed();
      },
      errors,
    );
    enrolPicker?.stop();
    enrolPicker = photoPicker(api, 'Photo with exactly one face');
    const enrol = h('button', { type: 'button', class: 'primary' }, 'Enrol face');
    const enrolErrors = h('div');
    action(enrol, enrolErrors, async () => {
      await api.post(`/v1/persons/${personId}/faces`, { uploadId: enrolPicker!.photo().upload.uploadId });
      await changed();
      await render();
    });
    const faces = person.faces.map((face) => {
      const faceErrors = h('div');
      const drop = h('button', { type: 'button', class: 'small' }, 'Remove');
      action(drop, faceErrors, async () => {
        await api.delete(`/v1/persons/${personId}/faces/${face.faceId}`);
        await changed();
        await render();
      });
      const q = face.quality;
      return h(
        'li',
        { class: 'face-item', 'data-face-id': face.faceId },
        h('span', {}, h('code', {}, face.faceId.slice(0, 12)), ` ${when(face.createdAt)}`),
        q &&
          h('span', { class: 'muted' }, ` size ${q.faceSize ?? '?'} px, sharpness ${fmt(q.sharpness ?? 0)}`),
        drop,
        faceErrors,
      );
    });
    show(
      element,
      h(
        'div',
        { class: 'row spread' },
        h('h3', {}, person.name),
        h('button', { type: 'button', class: 'small', onclick: closed }, 'Close'),
      ),
      h('div', { class: 'row' }, name, rename, remove),
      errors,
      h('h4', {}, `Faces (${person.faces.length})`),
      faces.length
        ? h('ul', { class: 'face-list' }, ...faces)
        : h('p', { class: 'muted' }, 'No face enrolled yet.'),
      h('h4', {}, 'Enrol a face'),
      enrolPicker.element,
      enrol,
      enrolErrors,
    );
  }

  render().catch((error) => show(element, errorView(error)));
  return { element, dispose: () => enrolPicker?.stop() };
}

export const personsView: ViewFactory = (api) => {
  const errors = h('div');
  const name = h('input', {
    type: 'text',
    placeholder: 'Name',
    maxlength: 64,
    'aria-label': 'New person name',
  });
  // Face data needs the person's separate consent (PIPL Art. 29): recorded with the person, shown in export.
  const consented = h('input', { type: 'checkbox', 'aria-label': 'Consent obtained' });
  const purpose = h('input', {
    type: 'text',
    value: 'Face recognition in this library',
    maxlength: 200,
    'aria-label': 'Purpose of processing',
  });
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add person');
  const list = h('ul', { class: 'people', 'data-testid': 'people' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const detail = h('div');
  let cursor: string | null = null;
  let panel: ReturnType<typeof personPanel> | undefined;

  const item = (p: Person) =>
    h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'person-row',
          'data-person-id': p.personId,
          onclick: () => open(p.personId),
        },
        h('span', { class: 'name' }, p.name),
        h('span', { class: 'muted' }, `${p.faceCount} ${p.faceCount === 1 ? 'face' : 'faces'}`),
      ),
    );

  async function load(append = false) {
    const page = await api.get<{ items: Person[]; nextCursor: string | null }>('/v1/persons', {
      limit: 20,
      cursor: append ? (cursor ?? undefined) : undefined,
    });
    cursor = page.nextCursor;
    more.hidden = !cursor;
    if (!append)
      show(
        list,
        ...(page.items.length
          ? []
          : [h('li', { class: 'muted' }, 'Nobody yet: add a person, then enrol faces.')]),
      );
    list.append(...page.items.map(item));
  }

  function open(personId: string) {
    panel?.dispose();
    panel = personPanel(api, personId, () => load(), close);
    show(detail, panel.element);
    panel.element.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  function close() {
    panel?.dispose();
    panel = undefined;
    show(detail);
  }

  const form = h(
    'form',
    { class: 'row' },
    name,
    h('label', { class: 'inline' }, consented, ' They agreed to face processing for: ', purpose),
    add,
  );
  form.addEventListener('submit', (event) => event.preventDefault());
  action(add, errors, async () => {
    if (!consented.checked) throw new Error('Ask the person first: tick that they agreed, and say what for.');
    const person = await api.post<Person>('/v1/persons', {
      name: name.value.trim(),
      consent: {
        obtainedAt: new Date().toISOString(),
        method: 'web console checkbox',
        purpose: purpose.value.trim(),
      },
    });
    name.value = '';
    consented.checked = false;
    await load();
    open(person.personId);
  });
  action(more, errors, () => load(true));
  load().catch((error) => show(errors, errorView(error)));

  return {
    element: h(
      'section',
      { class: 'view' },
      h('h2', {}, 'People'),
      h('p', { class: 'hint' }, 'Your face library: the people search can name.'),
      form,
      errors,
      list,
      more,
      detail,
    ),
    dispose: () => panel?.dispose(),
  };
};
