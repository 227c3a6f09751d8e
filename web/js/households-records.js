// The household as a living record (issue 13): its members and facts, edited with the
// household's version (a 409 says 已被他人修改 and reloads), and the change history.
import { h, put, clear, formatTime, formatNumber } from './dom.js';
import { api, get, enc, errorText } from './api.js';
import { field, recordForm, textBox, textField } from './forms.js';

export const RELATIONS = {
  head: '户主', spouse: '配偶', child: '子女', parent: '父母', grandchild: '孙子女', sibling: '兄弟姐妹', other: '其他',
};
export const LABOUR = { full: '有劳动能力', weak: '弱劳动能力', none: '无劳动能力' };
const FIELDS = {
  created: '建档', head_name: '户主', income_per_capita: '人均纯收入', rigid_spending: '刚性支出',
  registered_poor: '建档立卡户', away_long_term: '常年外出', members: '家庭成员', type_override: '县级越过类型规则',
};
const kEditors = ['village_clerk', 'township_reviewer', 'county_officer', 'admin'];

const mayEdit = (me) => Boolean(me && kEditors.includes(me.role));
const yesNo = (v) => (v ? '是' : '否');

// PATCH at the version the page was drawn with; a stale version reloads the page.
async function patch(hh, body, ctx, reload) {
  try {
    await api('PATCH', `/api/v1/households/${enc(hh.id)}`, { expected_version: hh.version, ...body });
  } catch (err) {
    if (err.status === 409) {
      ctx.toast('该户信息已被他人修改，已为您刷新，请核对后重试', 'error');
      reload();
      return false;
    }
    throw err;
  }
  return true;
}

function memberLine(m) {
  return h('li.member', { 'data-id-number': m.id_number },
    h('strong', m.name), h('span.muted', ` · ${m.relation_label || RELATIONS[m.relation] || m.relation}`),
    h('span', ` · 身份证号 ${m.id_number}`),
    h('span.muted', ` · ${m.labour_label || LABOUR[m.labour] || '—'}`),
    m.health ? h('span.muted', ` · ${m.health}`) : null,
    m.schooling ? h('span.muted', ` · ${m.schooling}`) : null);
}

// One member's inputs; the ID number stays masked when unchanged (the server keeps the stored one).
function memberFieldset(m, onRemove) {
  const name = h('input', { name: 'name', value: m.name || '', maxlength: 50, autocomplete: 'off' });
  const relation = h('select', { name: 'relation' },
    Object.entries(RELATIONS).map(([v, t]) => h('option', { value: v, selected: v === m.relation }, t)));
  const id = h('input', { name: 'id_number', value: m.id_number || '', maxlength: 18, autocomplete: 'off', inputmode: 'text' });
  const labour = h('select', { name: 'labour' },
    Object.entries(LABOUR).map(([v, t]) => h('option', { value: v, selected: v === (m.labour || 'full') }, t)));
  const health = h('input', { name: 'health', value: m.health || '', maxlength: 50 });
  const schooling = h('input', { name: 'schooling', value: m.schooling || '', maxlength: 50 });
  const set = h('fieldset.member-edit',
    h('legend', m.name ? `成员：${m.name}` : '新成员'),
    field('姓名', name, { required: true }), field('与户主关系', relation, { required: true }),
    field('身份证号', id, { required: true, help: '18位；已登记的号码显示为部分隐藏，不改动即保留原号码' }),
    field('劳动能力', labour), field('健康状况', health), field('在校/就学情况', schooling),
    h('div.button-row', h('button.ghost', { type: 'button', onclick: () => onRemove(set) }, '删除此成员')));
  set.read = () => {
    const out = { name: name.value.trim(), relation: relation.value, id_number: id.value.trim(), labour: labour.value };
    if (health.value.trim()) out.health = health.value.trim();
    if (schooling.value.trim()) out.schooling = schooling.value.trim();
    return out;
  };
  return set;
}

export function membersSection(hh, ctx, reload) {
  const list = Array.isArray(hh.members) ? hh.members : [];
  const shown = h('ul.plain-list#members', list.map(memberLine));
  const section = h('section.panel#household-members', h('h2', `家庭成员（${list.length || hh.persons || 0} 人）`),
    list.length ? shown : h('p.muted#members', `尚未登记成员名单（登记人口 ${formatNumber(hh.members)} 人）。`));
  if (!mayEdit(ctx.me)) return section;
  const host = h('div.members-host');
  const remove = (set) => set.remove();
  const add = h('button.secondary', { type: 'button', onclick: () => host.append(memberFieldset({}, remove)) }, '添加成员');
  const form = recordForm({
    id: 'members-form', title: '修改家庭成员', submitText: '保存成员名单', className: 'subpanel',
    intro: '保存时以此名单整体替换原名单。',
    fields: [host, h('div.button-row', add)],
    onSubmit: async () => {
      const members = [...host.querySelectorAll('fieldset.member-edit')].map((s) => s.read());
      if (await patch(hh, { members }, ctx, reload)) {
        ctx.toast('家庭成员已保存');
        reload();
      }
    },
  });
  for (const m of list) host.append(memberFieldset(m, remove));
  const details = h('details.edit#members-edit', h('summary', '修改家庭成员'), form);
  section.append(details);
  return section;
}

export function factsSection(hh, ctx, reload) {
  const section = h('section.panel#household-record', h('h2', '家庭情况'), h('dl.facts.grid',
    [['人均纯收入', `${formatNumber(hh.income_per_capita)} 元/年`], ['刚性支出', `${formatNumber(hh.rigid_spending)} 元/年`],
      ['建档立卡户', yesNo(hh.registered_poor)], ['常年外出', yesNo(hh.away_long_term)], ['信息版本', `第 ${hh.version} 版`]]
      .map(([k, v]) => h('div', h('dt', k), h('dd', v)))));
  if (!mayEdit(ctx.me)) return section;
  const income = h('input', { name: 'income_per_capita', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: hh.income_per_capita ?? '' });
  const rigid = h('input', { name: 'rigid_spending', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: hh.rigid_spending ?? '' });
  const poor = h('input', { type: 'checkbox', name: 'registered_poor', checked: Boolean(hh.registered_poor) });
  const away = h('input', { type: 'checkbox', name: 'away_long_term', checked: Boolean(hh.away_long_term) });
  const county = ctx.me.role === 'county_officer';
  const override = county ? h('input', { type: 'checkbox', name: 'override' }) : null;
  const comment = textBox({ name: 'comment', rows: 2 });
  const form = recordForm({
    id: 'facts-form', title: '修改家庭情况', submitText: '保存', className: 'subpanel',
    intro: '人均纯收入与监测类型须相符（高于6000元不属脱贫不稳定户、边缘易致贫户，低于6000元不属突发严重困难户）。',
    fields: [field('人均纯收入（元/年）', income, { required: true }), field('刚性支出（元/年）', rigid),
      h('label.check', poor, '建档立卡户'), h('label.check', away, '常年外出'),
      county ? h('label.check', override, '县级越过类型规则（须填写说明）') : null,
      textField(county ? '说明' : '备注', comment)],
    onSubmit: async () => {
      const body = { income_per_capita: Number(income.value), registered_poor: poor.checked, away_long_term: away.checked };
      if (rigid.value !== '') body.rigid_spending = Number(rigid.value);
      if (comment.value.trim()) body.comment = comment.value.trim();
      if (override && override.checked) body.override = true;
      if (await patch(hh, body, ctx, reload)) {
        ctx.toast('家庭情况已保存');
        reload();
      }
    },
  });
  section.append(h('details.edit#facts-edit', h('summary', '修改家庭情况'), form));
  return section;
}

function valueText(field, v) {
  if (v === null || v === undefined) return '—';
  if (field === 'members' && Array.isArray(v)) return `${v.length} 人：${v.map((m) => m.name).join('、')}`;
  if (field === 'type_override' && typeof v === 'object') return v.comment || '';
  if (field === 'created' && typeof v === 'object') return `户主 ${v.head_name || ''}`;
  if (typeof v === 'boolean') return yesNo(v);
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

// 变更记录: loaded after the page is drawn (one more round trip, not on the page's path).
export function changesSection(hh) {
  const list = h('ol.plain-list#household-changes', h('li.muted', '正在加载…'));
  const section = h('section.panel', h('h2', '变更记录'), list);
  get(`/api/v1/households/${enc(hh.id)}/changes`).then((changes) => {
    put(clear(list), (changes || []).slice().reverse().map((c) => h('li', { 'data-field': c.field },
      h('span.muted', `${formatTime(c.at)} · ${c.actor_name || c.actor || '系统'} · `),
      h('strong', FIELDS[c.field] || c.field),
      c.field === 'created' ? ` ${valueText(c.field, c.to)}`
        : ` ${valueText(c.field, c.from)} → ${valueText(c.field, c.to)}`)));
  }).catch((err) => put(clear(list), h('li.form-error', errorText(err))));
  return section;
}
