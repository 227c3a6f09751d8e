// 案件详情: the case, its household and monitoring object, the chain as steps, open tasks.
import { h, put, formatTime, deadlineText, isOverdue } from '../dom.js';
import { get, enc } from '../api.js';
import {
  ACTIONS, ALERT_ITEMS, CAUSES, ROLES, STATUSES, STEPS, TYPES, WORKFLOWS, label,
} from '../labels.js';
import { actionButtonClass, openActionPanel, doneMessage, normalizeActions } from '../actions.js';

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
  if (d.reason) rows.push(['清退原因', d.reason]);
  if (d.income_per_capita !== undefined) rows.push(['人均纯收入', `${d.income_per_capita} 元`]);
  if (d.fast_track) rows.push(['程序', '先行救助帮扶、后履行程序']);
  return h('dl.facts.grid', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v))));
}

function householdFacts(hh) {
  if (!hh) return h('p.muted', '无法读取该户信息。');
  const m = hh.monitoring;
  const rows = [
    ['户主', hh.head_name],
    ['户号', h('a', { href: `#/households/${enc(hh.id)}` }, hh.id)],
    ['所在村', hh.village_name || hh.village],
    ['家庭人口', hh.members !== undefined ? `${hh.members} 人` : '—'],
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
      h('p.step-move', ev.from ? `${stateWord(ev.from, labels)} → ${stateWord(ev.to, labels)}` : `→ ${stateWord(ev.to, labels)}`),
      ev.comment ? h('p.step-comment', `意见：${ev.comment}`) : null,
      h('p.step-time', formatTime(ev.at)))));
  items.push(h('li.step.current', h('div.step-dot', { 'aria-hidden': 'true' }),
    h('div.step-body', h('p.step-title', '当前：', h('strong', stateWord(c.state, labels))),
      (c.tasks || []).length ? h('p.step-move', '等待：', (c.tasks || []).map((t) =>
        `${t.step_label || label(STEPS, t.step)}（${label(ROLES, t.role)}）`).join('、')) : null)));
  return h('ol.chain#chain', { 'aria-label': '办理流程' }, items);
}

function openTasks(tasks) {
  if (!tasks.length) return h('p.muted', '该案件没有未办结的环节。');
  return h('ul.plain-list', tasks.map((t) => {
    const text = deadlineText(t);
    return h('li', h('strong', t.step_label || label(STEPS, t.step)), ` · ${label(ROLES, t.role)}`,
      t.org ? ` · ${t.org_name || t.org}` : '', ` · 截止 ${formatTime(t.due_at)} `,
      text ? h(`span.badge.deadline.${isOverdue(t) ? 'late' : 'ok'}`, text) : null);
  }));
}

export async function renderCase(view, ctx, caseId) {
  const [c, history] = await Promise.all([
    get(`/api/v1/cases/${enc(caseId)}`),
    get(`/api/v1/cases/${enc(caseId)}/history`).catch(() => []),
  ]);
  const hh = await get(`/api/v1/households/${enc(c.household)}`).catch(() => null);
  const panelHost = h('div.panel-host');
  // my_actions: what the server says this user may do now (withdraw, the county's fast track, ...).
  // Older servers send only allowed_actions: then offer them to the role the open step waits for.
  const waitingRoles = (c.tasks || []).map((t) => t.role);
  const all = normalizeActions(c.allowed_actions) || [];
  const allowed = Array.isArray(c.my_actions)
    ? all.filter((a) => c.my_actions.includes(a.action))
    : (ctx.me && (ctx.me.role === 'admin' || waitingRoles.includes(ctx.me.role)) ? all : []);
  const buttons = allowed.map(({ action, label: text }) => h(`button.${actionButtonClass(action)}`, {
    type: 'button', 'data-action': action,
    onclick: () => openActionPanel(panelHost, {
      caseId, action, ctx,
      onDone: (result) => { ctx.toast(doneMessage(action, result)); ctx.navigate(location.hash); },
    }),
  }, text));

  put(view,
    h('div.page-head', h('h1', `${c.workflow_label || label(WORKFLOWS, c.workflow)} · ${hh ? hh.head_name : c.household}`),
      h('a.button.ghost', { href: '#/tasks' }, '返回待办')),
    h('p.summary#case-state', '当前状态：', h('strong', c.state_label || label(STEPS, c.state)),
      h('span.muted', `（版本 ${c.version}）`)),
    buttons.length ? h('section.panel', h('h2', '办理'), h('div.button-row', buttons), panelHost) : null,
    h('section.panel', h('h2', '案件信息'), caseFacts(c)),
    h('section.panel', h('h2', '户与监测对象'), householdFacts(hh)),
    h('section.panel', h('h2', '办理流程'), chainSteps(c, history || [])),
    h('section.panel', h('h2', '未办结环节与期限'), openTasks(c.tasks || [])));
}
