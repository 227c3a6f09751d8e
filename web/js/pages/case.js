// 案件详情: the case, a 退回 mark with its reason, the village records (editable by the clerk at
// the village step), the chain as steps, open steps with 催办 / 转办, and the actions this user
// may take in a bar fixed to the bottom of a phone's screen (as the chat apps' approval pages do).
import { h, put, formatTime, deadlineText, isOverdue } from '../dom.js';
import { get, enc } from '../api.js';
import {
  ACTIONS, ALERT_ITEMS, CAUSES, DEPARTMENTS, REMOVAL_REASONS, ROLES, STATUSES, STEPS, TYPES, WORKFLOWS, label,
} from '../labels.js';
import { actionButtonClass, openActionPanel, doneMessage, normalizeActions } from '../actions.js';
import { recordsFor, recordsForm, recordsView } from '../village.js';
import { holds, taskTools } from '../followups.js';
import { renderEvidence } from '../evidence.js';

function stateWord(code, labels) {
  return (labels && labels[code]) || label(STEPS, code);
}

function caseFacts(c) {
  const d = c.data || {};
  const rows = [
    ['案件编号', c.id],
    ['业务类型', c.workflow_label || label(WORKFLOWS, c.workflow)],
    ['当前状态', h('strong', c.state_label || label(STEPS, c.state))],
  ];
  if (d.type) rows.push(['监测对象类型', label(TYPES, d.type)]);
  if (d.primary_cause) rows.push(['主要风险', label(CAUSES, d.primary_cause)]);
  const others = Array.isArray(d.causes) ? d.causes.filter((x) => x !== d.primary_cause) : [];
  if (others.length) rows.push(['其他风险', others.map((x) => label(CAUSES, x)).join('、')]);
  if (d.item) rows.push(['预警事项', label(ALERT_ITEMS, d.item)]);
  // What the engine records itself (dispatch, warning) comes beside `data`, never inside it.
  if (c.department) rows.push(['承办行业部门', label(DEPARTMENTS, c.department)]);
  if (d.reason) rows.push(['清退原因', label(REMOVAL_REASONS, d.reason)]);
  if (d.income_per_capita !== undefined) rows.push(['人均纯收入', `${d.income_per_capita} 元`]);
  if (d.fast_track) rows.push(['程序', '先行救助帮扶、后履行程序']);
  if (c.threshold_warning) rows.push(['提示', h('span.late-text', c.threshold_warning)]);
  return h('dl.facts.grid', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v))));
}

function householdFacts(hh) {
  if (!hh) return h('p.muted', '无法读取该户信息。');
  const m = hh.monitoring;
  const rows = [
    ['户主', hh.head_name],
    ['户号', h('a', { href: `#/households/${enc(hh.id)}` }, hh.id)],
    ['所在村', hh.village_name || hh.village],
    ['家庭人口', hh.members !== undefined ? `${Array.isArray(hh.members) ? hh.members.length : hh.members} 人` : '—'],
  ];
  if (m) {
    rows.push(['监测对象', label(TYPES, m.type)], ['监测状态', label(STATUSES, m.status)],
      ['主要风险', label(CAUSES, m.primary_cause)]);
  } else {
    rows.push(['监测对象', '尚未纳入监测']);
  }
  return h('dl.facts.grid', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v ?? '—'))));
}

// The chain: one step per event, oldest first, ending with the current state.
function chainSteps(c, history) {
  const labels = {};
  for (const ev of history) {
    if (ev.from_label) labels[ev.from] = ev.from_label;
    if (ev.to_label) labels[ev.to] = ev.to_label;
  }
  if (c.state_label) labels[c.state] = c.state_label;
  const items = history.map((ev) => h(`li.step.action-${ev.action}`, { 'data-seq': ev.seq },
    h('div.step-dot', { 'aria-hidden': 'true' }),
    h('div.step-body',
      h('p.step-title', h('strong', ev.actor_name || ev.actor || '系统'), ' ',
        h(`span.badge.act-${ev.action}`, label(ACTIONS, ev.action))),
      h('p.step-move', ev.from && ev.from !== ev.to ? `${stateWord(ev.from, labels)} → ${stateWord(ev.to, labels)}` : stateWord(ev.to, labels)),
      ev.comment ? h('p.step-comment', `意见：${ev.comment}`) : null,
      h('p.step-time', formatTime(ev.at)))));
  items.push(h('li.step.current', h('div.step-dot', { 'aria-hidden': 'true' }),
    h('div.step-body', h('p.step-title', '当前：', h('strong', stateWord(c.state, labels))),
      (c.tasks || []).length ? h('p.step-move', '等待：', (c.tasks || []).map((t) =>
        `${t.step_label || label(STEPS, t.step)}（${label(ROLES, t.role)}）`).join('、')) : null)));
  return h('ol.chain#chain', { 'aria-label': '办理流程' }, items);
}

function openTasks(tasks, ctx, reload) {
  if (!tasks.length) return h('p.muted', '该案件没有未办结的环节。');
  return h('ul.plain-list#case-tasks', tasks.map((t) => {
    const text = deadlineText(t);
    const host = h('div.tool-host');
    return h('li', { 'data-task': t.id }, h('p.task-line', h('strong', t.step_label || label(STEPS, t.step)),
      ` · ${label(ROLES, t.role)}`, ` · 截止 ${formatTime(t.due_at)} `,
      text ? h(`span.badge.deadline.${isOverdue(t) ? 'late' : 'ok'}`, text) : null),
    h('div.button-row.tools', taskTools(t, ctx, host, reload)), host);
  }));
}

// The latest event when it sent the case back to where it is now.
function returnedBy(c, history) {
  const last = history[history.length - 1];
  return last && last.to === c.state && (last.action === 'return' || last.action === 'object') ? last : null;
}

export function returnedMark(ret) {
  return h('div.returned#returned', { role: 'note' },
    h('span.badge.returned-badge', ret.action === 'object' ? '有异议' : '退回'),
    h('span', ` ${ret.actor_name || ret.by_name || ret.actor || ret.by || ''} ${formatTime(ret.at)} `),
    h('p.wrap', `理由：${ret.comment || '（未填写）'}`));
}

export async function renderCase(view, ctx, caseId) {
  const [c, history] = await Promise.all([
    get(`/api/v1/cases/${enc(caseId)}`),
    get(`/api/v1/cases/${enc(caseId)}/history`).catch(() => []),
  ]);
  const fullHh = c.household_info || null;  // with its monitoring object: no second round trip
  const reload = () => ctx.navigate(location.hash);
  const panelHost = h('div.panel-host');
  const evidenceHost = h('section.panel#evidence', h('h2', '佐证材料'));
  const all = normalizeActions(c.allowed_actions) || [];
  const allowed = Array.isArray(c.my_actions) ? all.filter((a) => c.my_actions.includes(a.action)) : [];

  // The village records: editable by whoever holds the village step, shown to everyone.
  const kinds = recordsFor(c.workflow, c.state);
  const atVillage = kinds.length && (c.tasks || []).some((t) => holds(ctx.me, t));
  const editor = atVillage ? recordsForm(kinds, c.data || {}) : null;
  const shown = recordsView(c.data);
  const ret = returnedBy(c, history || []);

  const buttons = allowed.map((def) => h(`button.${actionButtonClass(def.action)}`, {
    type: 'button', 'data-action': def.action,
    onclick: () => {
      openActionPanel(panelHost, {
        caseId, action: def.action, def,
        collect: editor && def.action === 'submit' ? editor.collect : null,
        onDone: (result) => { ctx.toast(doneMessage(def.label, result)); reload(); },
      });
      panelHost.scrollIntoView({ block: 'nearest' });
    },
  }, def.label));

  put(view,
    h('div.page-head', h('h1', `${c.workflow_label || label(WORKFLOWS, c.workflow)} · ${fullHh ? fullHh.head_name : c.household}`),
      h('a.button.ghost', { href: '#/tasks' }, '返回待办')),
    h('p.summary#case-state', '当前状态：', h('strong', c.state_label || label(STEPS, c.state)),
      h('span.muted', `（版本 ${c.version}）`)),
    ret ? returnedMark(ret) : null,
    editor ? h('section.panel#village-step', h('h2', '村级填报：入户核实与民主评议'),
      h('p.help', '填写后点“提交”一并报送；退回的案件已带出上次填写的内容，修改后重新提交。'), editor.node) : null,
    !editor && shown ? h('section.panel', h('h2', '村级记录'), shown) : null,
    evidenceHost,
    h('section.panel', h('h2', '案件信息'), caseFacts(c)),
    h('section.panel', h('h2', '户与监测对象'), householdFacts(fullHh)),
    h('section.panel', h('h2', '办理流程'), chainSteps(c, history || [])),
    h('section.panel', h('h2', '未办结环节与期限'), openTasks(c.tasks || [], ctx, reload)),
    buttons.length ? h('section.action-bar#action-bar', { 'aria-label': '办理' }, panelHost, h('div.button-row.bar-buttons', buttons)) : null);
  if (buttons.length) view.classList.add('has-action-bar');
  // 佐证材料 in a task of its own, so the rest of the page shows first (its stylesheet, list and
  // thumbnails cost ~80 ms of a slow phone's CPU before the first paint otherwise).
  setTimeout(() => renderEvidence(evidenceHost, c, ctx, reload), 0);
}
