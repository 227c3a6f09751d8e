// Form pieces shared by the pages: labelled fields, text boxes with a character counter, and a
// record form that checks required fields, posts, and shows the server's reason in words.
import { h } from './dom.js';
import { errorText } from './api.js';

// Limits in characters (what an official counts). The server refuses more than 2,000 bytes today
// (about 666 Chinese characters); 500 characters stays inside it.
export const kLimits = { comment: 500, note: 500, description: 500, reason: 200, short: 100 };

let serial = 0;
const nextId = (prefix) => `${prefix}-${++serial}`;

export function options(table, placeholder) {
  const list = Object.entries(table).map(([value, text]) => h('option', { value }, text));
  return placeholder !== undefined ? [h('option', { value: '' }, placeholder), ...list] : list;
}

// A labelled field around `control`; `required` adds （必填） to the label.
export function field(text, control, { help, required } = {}) {
  if (!control.id) control.id = nextId('f');
  if (required) {
    control.required = true;
    control.setAttribute('aria-required', 'true');
  }
  return h('div.field', h('label', { for: control.id }, required ? `${text}（必填）` : text), control,
    help ? h('p.help', help) : null);
}

// A textarea (or input with rows: 0) limited to `max` characters, with a live "已输入 n/max 字".
export function textBox({ name, max = kLimits.comment, rows = 3, placeholder, value = '' }) {
  const id = nextId(name || 't');
  const counter = h('span.counter', { id: `${id}-count`, 'aria-live': 'polite' });
  const control = rows
    ? h('textarea', { id, name, rows, maxlength: max, placeholder, 'aria-describedby': counter.id })
    : h('input', { id, name, maxlength: max, placeholder, autocomplete: 'off', 'aria-describedby': counter.id });
  control.value = value;
  const update = () => {
    const n = [...control.value].length;
    counter.textContent = `已输入 ${n}/${max} 字`;
    counter.classList.toggle('full', n >= max);
  };
  control.addEventListener('input', update);
  update();
  control.counter = counter;
  return control;
}

// field() for a textBox: the counter sits under the box.
export function textField(text, box, opts = {}) {
  const f = field(text, box, opts);
  f.append(box.counter);
  return f;
}

export function labelOf(form, control) {
  const l = form.querySelector(`label[for="${control.id}"]`);
  return l ? l.textContent.replace('（必填）', '') : control.name;
}

// <form> with a title, fields, an error line and a submit button. onSubmit(form) may throw an
// ApiError: its reason is shown, in words, under the fields.
export function recordForm({ id, title, intro, fields, submitText, onSubmit, className = 'panel' }) {
  const error = h('p.form-error', { role: 'alert' });
  const button = h('button.primary', { type: 'submit' }, submitText);
  const form = h(`form.record-form.${className}`, {
    id, novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const missing = [...form.querySelectorAll('[required]')].find((el) => !String(el.value).trim());
      if (missing) {
        error.textContent = `请填写“${labelOf(form, missing)}”`;
        missing.setAttribute('aria-invalid', 'true');
        missing.focus();
        return;
      }
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      button.disabled = true;
      try {
        await onSubmit(form);
      } catch (err) {
        error.textContent = errorText(err);
      } finally {
        button.disabled = false;
      }
    },
  }, title ? h('h2', title) : null, intro ? h('p.help', intro) : null, fields, error, h('div.button-row', button));
  return form;
}
