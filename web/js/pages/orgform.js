// The "单位代码" picker shared by the report pages: defaults to the official's own org.
import { h } from '../dom.js';

export function orgForm(ctx, org, onChange, idPrefix) {
  const input = h('input', { id: `${idPrefix}-org`, name: 'org', value: org, autocomplete: 'off', required: true });
  return h('form.panel.org-form', {
    onsubmit: (e) => {
      e.preventDefault();
      if (input.value.trim()) onChange(input.value.trim());
    },
  }, h('label', { for: input.id }, '统计范围（单位代码）'),
  h('div.inline', input, h('button.primary', { type: 'submit' }, '查询'),
    ctx.me && ctx.me.org && org !== ctx.me.org
      ? h('button.ghost', { type: 'button', onclick: () => onChange(ctx.me.org) }, '本单位') : null));
}


export function statCards(items) {
  return h('div.cards', items.map(([k, v, kind]) => h(`div.card${kind ? `.${kind}` : ''}`,
    h('div.card-value', v), h('div.card-label', k))));
}
