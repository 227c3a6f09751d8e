// 户详情: the household, its monitoring object, open tasks (each with the form that finishes it,
// for whoever holds it), measures, visits, open cases, and starting a case (village clerk).
// Each section is its own function, so later sections (members, changes, evidence) slot in.
import {
  h, put, clear, formatTime, formatNumber, deadlineText, isOverdue, looksLikeIdNumber, maskIdNumber,
} from '../dom.js';
import { get, post, enc, errorText } from '../api.js';
import {
  ALERT_ITEMS, CAUSES, DEPARTMENTS, MEASURE_KINDS, REMOVAL_REASONS, ROLES, START_RULES, STATUSES,
  STEPS, TYPES, VISIT_MODES, WORKFLOWS, label,
} from '../labels.js';
import { field, options, recordForm } from '../forms.js';
import { canLogVisit, canRecordMeasure, finishForm, holds, measureForm, taskTools, visitForm } from '../followups.js';
import { sortTasks } from './tasks.js';
import { changesSection, factsSection, membersSection } from '../households-records.js';
import { visitPhotos } from '../evidence.js';

const facts = (rows) => h('dl.facts.grid', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v ?? '—'))));

function contactText(m, hh) {
  const c = m.contact;
  if (!c) return h('span.late-text', '未明确帮扶联系人');
  if (typeof c === 'object') return c.name || c.id;
  return m.contact_name || hh.contact_name || c;
}

function basicSection(hh) {
  return h('section.panel#household-facts', h('h2', '家庭基本情况'), facts([
    ['户号', hh.id], ['户主', hh.head_name], ['所在村', hh.village_name || hh.village],
    ['家庭人口', hh.members !== undefined ? `${Array.isArray(hh.members) ? hh.members.length : hh.members} 人` : '—'],
    ['人均纯收入', hh.income_per_capita !== undefined ? `${formatNumber(hh.income_per_capita)} 元` : '—'],
  ]));
}

function monitoringSection(hh) {
  const m = hh.monitoring;
  if (!m) return h('section.panel', h('h2', '监测对象'), h('p.muted', '该户尚未纳入监测。'));
  const causes = Array.isArray(m.causes) ? m.causes.filter((x) => x !== m.primary_cause) : [];
  return h('section.panel', h('h2', '监测对象'), facts([
    ['监测对象类型', m.type_label || label(TYPES, m.type)],
    ['监测状态', h(`span.badge.status-${m.status}`, m.status_label || label(STATUSES, m.status))],
    ['主要风险', m.primary_cause_label || label(CAUSES, m.primary_cause)],
    ['其他风险', causes.length ? causes.map((x) => label(CAUSES, x)).join('、') : '—'],
    ['纳入时间', formatTime(m.admitted_at)],
    ['帮扶联系人', contactText(m, hh)],
  ]));
}

function taskItem(t, hh, ctx, reload) {
  const text = deadlineText(t);
  const host = h('div.tool-host');
  const form = finishForm(t, hh, ctx, reload);
  return h(`li.task-row${isOverdue(t) ? '.overdue' : ''}`, { 'data-task': t.id, 'data-step': t.step },
    h('p.task-line', h('strong', t.step_label || label(STEPS, t.step)),
      h('span.muted', ` · ${label(ROLES, t.role)}${t.org_name ? `（${t.org_name}）` : ''} · 截止 ${formatTime(t.due_at)} `),
      text ? h(`span.badge.deadline.${isOverdue(t) ? 'late' : 'ok'}`, text) : null),
    t.case ? h('p', h('a.button.secondary', { href: `#/cases/${enc(t.case)}` }, '去办理（案件详情）')) : null,
    form,
    h('div.button-row.tools', taskTools(t, ctx, host, reload)),
    host);
}

function tasksSection(tasks, hh, ctx, reload) {
  return h('section.panel', h('h2', `未办结事项（${tasks.length}）`),
    tasks.length ? h('ul.plain-list#household-tasks', sortTasks(tasks).map((t) => taskItem(t, hh, ctx, reload)))
      : h('p.muted', '没有未办结事项。'));
}

function measuresSection(hh, list, ctx, reload, taskHasForm) {
  const show = canRecordMeasure(ctx.me, hh) && !taskHasForm;
  return h('section.panel', h('h2', `帮扶措施（${list.length}）`),
    list.length ? h('ul.plain-list#measures', list.map((x) => h('li',
      h('strong', x.label || x.kind_label || label(MEASURE_KINDS, x.kind)),
      x.department ? ` · ${label(DEPARTMENTS, x.department)}` : '',
      x.at ? h('span.muted', ` · ${formatTime(x.at)}`) : null,
      x.description ? h('p.wrap', x.description) : null)))
      : h('p.muted#measures', '尚未落实帮扶措施。一户一方案、一人一措施，纳入后10日内须落实。'),
    show ? measureForm(hh.id, ctx, reload) : null);
}

function visitsSection(hh, list, ctx, reload, taskHasForm) {
  const show = canLogVisit(ctx.me, hh) && !taskHasForm;
  return h('section.panel', h('h2', `走访记录（${list.length}）`),
    list.length ? h('ul.plain-list#visits', list.map((v) => h('li', { 'data-visit': v.id },
      h('strong', label(VISIT_MODES, v.mode)),
      h('span.muted', ` · ${formatTime(v.at)}${v.by_name || v.by ? ` · ${v.by_name || v.by}` : ''}`),
      v.note ? h('p.wrap', v.note) : null,
      (v.attachments || []).length ? visitPhotos(v.attachments, v.id) : null)))
      : h('p.muted#visits', '暂无走访记录。风险未消除的监测对象每月至少走访一次。'),
    show ? visitForm(hh.id, ctx, reload, hh.away_long_term) : null);
}

function casesSection(hh) {
  const list = hh.open_cases || [];
  if (!list.length) return null;
  return h('section.panel', h('h2', `在办业务（${list.length}）`), h('ul.plain-list#open-cases', list.map((c) => h('li',
    h('a', { href: `#/cases/${enc(c.id)}` }, `${c.workflow_label || label(WORKFLOWS, c.workflow)} · ${c.state_label || label(STEPS, c.state)}`)))));
}

// The chains the clerk may start for this household, with the data each needs.
function startCaseSection(hh, ctx) {
  if (!ctx.me || ctx.me.role !== 'village_clerk' || hh.village !== ctx.me.org) return null;
  const status = hh.monitoring ? hh.monitoring.status : 'none';
  const open = new Set((hh.open_cases || []).map((c) => c.workflow));
  const kinds = Object.entries(START_RULES).filter(([w, r]) => r.statuses.includes(status) && !open.has(w)).map(([w]) => w);
  if (!kinds.length) return null;
  const workflow = h('select', { name: 'workflow' }, kinds.map((w) => h('option', { value: w }, label(WORKFLOWS, w))));
  const dataHost = h('div.data-fields');
  const controls = {};
  function drawFields() {
    clear(dataHost);
    for (const k of Object.keys(controls)) delete controls[k];
    const add = (name, text, control, opts = { required: true }) => { controls[name] = control; dataHost.append(field(text, control, opts)); };
    for (const f of START_RULES[workflow.value].fields) {
      if (f === 'type') add(f, '监测对象类型', h('select', options(TYPES, '请选择')));
      if (f === 'primary_cause') add(f, '主要风险', h('select', options(CAUSES, '请选择')));
      if (f === 'causes') {
        controls.causes = h('fieldset.checks', h('legend', '其他风险（可多选）'), Object.entries(CAUSES).map(([v, t]) =>
          h('label.check', h('input', { type: 'checkbox', value: v }), t)));
        dataHost.append(controls.causes);
      }
      if (f === 'income_per_capita') add(f, '人均纯收入（元/年）', h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: hh.income_per_capita ?? '' }));
      if (f === 'item') add(f, '预警事项', h('select', options(ALERT_ITEMS, '请选择')));
      if (f === 'reason') add(f, '清退原因', h('select', options(REMOVAL_REASONS, '请选择')));
    }
  }
  workflow.addEventListener('change', drawFields);
  drawFields();
  return recordForm({
    id: 'start-case-form', title: '发起业务', submitText: '发起',
    intro: '发起后进入村级填报：入户核实、民主评议，再提交乡镇。',
    fields: [field('业务类型', workflow, { required: true }), dataHost],
    onSubmit: async () => {
      const data = {};
      for (const [name, c] of Object.entries(controls)) {
        if (name === 'causes') data.causes = [...c.querySelectorAll('input:checked')].map((x) => x.value);
        else if (name === 'income_per_capita') data[name] = Number(c.value);
        else data[name] = c.value;
      }
      if (data.causes && data.primary_cause && !data.causes.includes(data.primary_cause)) data.causes.unshift(data.primary_cause);
      const c = await post('/api/v1/cases', { workflow: workflow.value, household: hh.id, data });
      ctx.toast(`已发起${c.workflow_label || label(WORKFLOWS, c.workflow)}，请填写村级记录后提交`);
      ctx.navigate(`#/cases/${enc(c.id)}`);
    },
  });
}

export async function renderHousehold(view, ctx, id) {
  const [hh, tasks] = await Promise.all([
    get(`/api/v1/households/${enc(id)}`),
    get(`/api/v1/households/${enc(id)}/tasks`).catch(() => []),
  ]);
  const m = hh.monitoring || {};
  const reload = () => ctx.navigate(location.hash);
  const held = (step) => (tasks || []).some((t) => t.step === step && !t.case && holds(ctx.me, t));
  put(view,
    h('div.page-head', h('h1', `${hh.head_name || ''} 户`), h('a.button.ghost', { href: '#/tasks' }, '返回待办')),
    basicSection(hh), monitoringSection(hh), tasksSection(tasks || [], hh, ctx, reload), casesSection(hh),
    factsSection(hh, ctx, reload), membersSection(hh, ctx, reload), changesSection(hh),
    measuresSection(hh, m.measures || [], ctx, reload, held('measures')),
    visitsSection(hh, m.visits || [], ctx, reload, held('visit') || held('visit_quarterly')),
    startCaseSection(hh, ctx));
}

// 户查询: by household number, head's name (part of it) or a member's ID number. POST keeps the
// ID number out of the address bar and the server's logs; it is shown masked (first 6, last 4).
export async function renderHouseholdSearch(view, ctx) {
  const input = h('input#household-q', {
    name: 'q', required: true, autocomplete: 'off', maxlength: 50, enterkeyhint: 'search',
    placeholder: '户号、户主姓名或身份证号',
  });
  const note = h('p.summary#search-summary', { 'aria-live': 'polite' });
  const hits = h('ul.search-hits#search-hits');
  const form = h('form.panel', {
    role: 'search',
    onsubmit: async (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      const asked = looksLikeIdNumber(q) ? `身份证号 ${maskIdNumber(q)}` : `“${q}”`;
      if (looksLikeIdNumber(q)) input.value = maskIdNumber(q);  // not left on screen in full
      put(clear(note), '正在查找…');
      clear(hits);
      try {
        const found = (await post('/api/v1/households/search', { q })) || [];
        put(clear(note), found.length ? `按${asked}找到 ${found.length} 户` : `按${asked}未找到本辖区内的户`);
        put(hits, found.map((hh) => h('li', h('a', { href: `#/households/${enc(hh.id)}`, 'data-household': hh.id },
          h('strong', hh.head_name), h('span.muted', `户号 ${hh.id}`), h('span', hh.village_name || ''),
          hh.matched_member ? h('span.muted', `${hh.matched_member.name} 身份证号 ${maskIdNumber(hh.matched_member.id_number)}`) : null,
          hh.monitoring ? h(`span.badge.status-${hh.monitoring.status}`, label(STATUSES, hh.monitoring.status)) : null))));
      } catch (err) {
        put(clear(note), errorText(err));
      }
    },
  }, h('label', { for: 'household-q' }, '户号、户主姓名或身份证号'), input,
  h('div.button-row', h('button.primary', { type: 'submit' }, '查询')));
  view.append(h('h1', '户查询'), form, note, hits);
}
