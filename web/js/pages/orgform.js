// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// The scope picker of the report pages: the official's own org by name, and the child orgs the
// last report listed (drill down), never a raw code to type.
import { h } from '../dom.js';

// current: {org, org_name}; children: [{org, org_name}] from the report.
export function orgForm(ctx, current, children, onChange, idPrefix) {
  const select = h('select', { id: `${idPrefix}-org`, name: 'org' });
  const seen = new Set();
  const add = (code, name, prefix = '') => {
    if (!code || seen.has(code)) return;
    seen.add(code);
    select.append(h('option', { value: code }, `${prefix}${name || code}`));
  };
  add(current.org, current.org_name);
  if (ctx.me && ctx.me.org) add(ctx.me.org, ctx.me.org_name, '本单位：');
  for (const c of children || []) add(c.org, c.org_name, '下级：');
  select.value = current.org;
  if (select.options.length < 2) return h('p.summary.scope', '统计范围：', h('strong', current.org_name || current.org));
  return h('form.panel.org-form', {
    onsubmit: (e) => {
      e.preventDefault();
      onChange(select.value);
    },
  }, h('label', { for: select.id }, '统计范围'),
  h('div.inline', select, h('button.primary', { type: 'submit' }, '查看')));
}

export function statCards(items) {
  return h('div.cards', items.map(([k, v, kind]) => h(`div.card${kind ? `.${kind}` : ''}`,
    h('div.card-value', v), h('div.card-label', k))));
}
