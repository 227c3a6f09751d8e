// 户详情: household, monitoring object, contact person, measures, visits, open tasks;
// forms to record a measure and a visit. Also the small 户查询 page.
import { h, put, formatTime, formatNumber, deadlineText, isOverdue } from '../dom.js';
import { get, post, enc, errorText } from '../api.js';
import {
  CAUSES, DEPARTMENTS, MEASURE_KINDS, ROLES, STATUSES, STEPS, TYPES, VISIT_MODES, label,
} from '../labels.js';
import { sortTasks } from './tasks.js';

function options(table, placeholder) {
  const list = Object.entries(table).map(([value, text]) => h('option', { value }, text));
  return placeholder ? [h('option', { value: '' }, placeholder), ...list] : list;
}

function field(id, text, control, help) {
  control.id = id;
  return h('div.field', h('label', { for: id }, text), control, help ? h('p.help', help) : null);
}

function contactText(m, hh) {
  const c = m.contact;
  if (!c) return h('span.late-text', '未明确帮扶联系人');
  if (typeof c === 'object') return `${c.name || c.id}${c.mobile ? `（${c.mobile}）` : ''}`;
  return m.contact_name || hh.contact_name ? `${m.contact_name || hh.contact_name}（${c}）` : c;
}

function monitoringSection(hh) {
  const m = hh.monitoring;
  if (!m) return h('section.panel', h('h2', '监测对象'), h('p.muted', '该户尚未纳入监测。'));
  const causes = Array.isArray(m.causes) ? m.causes.filter((x) => x !== m.primary_cause) : [];
  const rows = [
    ['监测对象类型', m.type_label || label(TYPES, m.type)],
    ['监测状态', h(`span.badge.status-${m.status}`, m.status_label || label(STATUSES, m.status))],
    ['主要风险', m.primary_cause_label || label(CAUSES, m.primary_cause)],
    ['其他风险', causes.length ? causes.map((x) => label(CAUSES, x)).join('、') : '—'],
    ['纳入时间', formatTime(m.admitted_at)],
    ['帮扶联系人', contactText(m, hh)],
  ];
  return h('section.panel', h('h2', '监测对象'),
    h('dl.facts.grid', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v)))));
}

function measuresSection(list) {
  return h('section.panel', h('h2', `帮扶措施（${list.length}）`),
    list.length ? h('ul.plain-list#measures', list.map((x) => h('li',
      h('strong', x.label || x.kind_label || label(MEASURE_KINDS, x.kind)),
      x.department ? ` · ${label(DEPARTMENTS, x.department)}` : '',
      x.at || x.created_at ? h('span.muted', ` · ${formatTime(x.at || x.created_at)}`) : null,
      x.description ? h('p', x.description) : null)))
      : h('p.muted#measures', '尚未落实帮扶措施。一户一方案、一人一措施，纳入后10日内须落实。'));
}

function visitsSection(list) {
  return h('section.panel', h('h2', `走访记录（${list.length}）`),
    list.length ? h('ul.plain-list#visits', list.map((v) => h('li',
      h('strong', label(VISIT_MODES, v.mode)),
      h('span.muted', ` · ${formatTime(v.at || v.created_at)}${v.user_name || v.by || v.user ? ` · ${v.user_name || v.by || v.user}` : ''}`),
      v.note ? h('p', v.note) : null)))
      : h('p.muted#visits', '暂无走访记录。风险未消除的监测对象每月至少走访一次。'));
}

function tasksSection(tasks) {
  return h('section.panel', h('h2', `未办结事项（${tasks.length}）`),
    tasks.length ? h('ul.plain-list#household-tasks', sortTasks(tasks).map((t) => {
      const text = deadlineText(t);
      return h('li', h('strong', t.step_label || label(STEPS, t.step)),
        t.role ? ` · ${label(ROLES, t.role)}` : '', ` · 截止 ${formatTime(t.due_at)} `,
        text ? h(`span.badge.deadline.${isOverdue(t) ? 'late' : 'ok'}`, text) : null,
        t.case ? [' ', h('a', { href: `#/cases/${enc(t.case)}` }, '案件详情')] : null);
    })) : h('p.muted', '没有未办结事项。'));
}

function recordForm({ id, title, fields, submitText, onSubmit }) {
  const error = h('p.form-error', { role: 'alert' });
  const button = h('button.primary', { type: 'submit' }, submitText);
  const form = h('form.panel.record-form', {
    id, novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const missing = [...form.querySelectorAll('[required]')].find((el) => !el.value.trim());
      if (missing) {
        error.textContent = `请填写“${form.querySelector(`label[for="${missing.id}"]`).textContent}”`;
        missing.focus();
        return;
      }
      button.disabled = true;
      try {
        await onSubmit(form);
      } catch (err) {
        error.textContent = errorText(err);
      } finally {
        button.disabled = false;
      }
    },
  }, h('h2', title), fields, error, h('div.button-row', button));
  return form;
}

export async function renderHousehold(view, ctx, id) {
  const [hh, tasks] = await Promise.all([
    get(`/api/v1/households/${enc(id)}`),
    get(`/api/v1/households/${enc(id)}/tasks`).catch(() => []),
  ]);
  const m = hh.monitoring || {};
  const measures = m.measures || hh.measures || [];
  const visits = m.visits || hh.visits || [];
  const reload = () => ctx.navigate(location.hash);

  const measureForm = recordForm({
    id: 'measure-form', title: '记录帮扶措施', submitText: '保存措施',
    fields: [
      field('measure-kind', '措施类别', h('select', { name: 'kind', required: true }, options(MEASURE_KINDS, '请选择'))),
      field('measure-department', '责任部门', h('select', { name: 'department' }, options(DEPARTMENTS, '（无）'))),
      field('measure-description', '措施内容', h('textarea', { name: 'description', rows: 3, required: true,
        placeholder: '如：纳入农村低保，每月保障金…' })),
    ],
    onSubmit: async (form) => {
      const body = { kind: form.kind.value, description: form.description.value.trim() };
      if (form.department.value) body.department = form.department.value;
      await post(`/api/v1/households/${enc(id)}/measures`, body);
      ctx.toast('帮扶措施已保存');
      reload();
    },
  });
  const visitForm = recordForm({
    id: 'visit-form', title: '记录走访', submitText: '保存走访',
    fields: [
      field('visit-mode', '走访方式', h('select', { name: 'mode', required: true }, options(VISIT_MODES)),
        '外出务工的，电话或微信联系也算走访。'),
      field('visit-note', '走访情况', h('textarea', { name: 'note', rows: 3, required: true,
        placeholder: '家庭近况、“两不愁三保障”及饮水安全情况、帮扶诉求…' })),
    ],
    onSubmit: async (form) => {
      await post(`/api/v1/households/${enc(id)}/visits`, { mode: form.mode.value, note: form.note.value.trim() });
      ctx.toast('走访记录已保存');
      reload();
    },
  });

  put(view,
    h('div.page-head', h('h1', `${hh.head_name || ''} 户`), h('a.button.ghost', { href: '#/tasks' }, '返回待办')),
    h('section.panel', h('h2', '家庭基本情况'), h('dl.facts.grid',
      [['户号', hh.id], ['户主', hh.head_name], ['所在村', hh.village_name || hh.village],
        ['家庭人口', hh.members !== undefined ? `${hh.members} 人` : '—'],
        ['人均纯收入', hh.income_per_capita !== undefined ? `${formatNumber(hh.income_per_capita)} 元` : '—']]
        .map(([k, v]) => h('div', h('dt', k), h('dd', v ?? '—'))))),
    monitoringSection(hh), tasksSection(tasks || []), measuresSection(measures), visitsSection(visits),
    h('div.two-col', measureForm, visitForm));
}

export async function renderHouseholdSearch(view, ctx) {
  const input = h('input#household-id', { name: 'id', required: true, autocomplete: 'off', inputmode: 'text' });
  view.append(h('h1', '户查询'), h('form.panel', {
    onsubmit: (e) => {
      e.preventDefault();
      if (input.value.trim()) ctx.navigate(`#/households/${enc(input.value.trim())}`);
    },
  }, h('label', { for: 'household-id' }, '户号'), input, h('div.button-row', h('button.primary', { type: 'submit' }, '查询'))));
}
