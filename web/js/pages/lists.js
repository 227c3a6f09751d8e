// The lists beside 待办: 已办 (what I did, the case as it stands now), 我发起 (cases I opened and
// who must act on them now), 抄送我 (others' overdue tasks escalated to my org). One tab row for
// all four; labels are the workflow's own (the same the case page shows).
import { h, put, clear, formatTime, deadlineText, isOverdue } from '../dom.js';
import { get, enc } from '../api.js';
import { ACTIONS, STEPS, ROLES, WORKFLOWS, label } from '../labels.js';
import { applyFilters, filterBar } from './tasks.js';

const kTabs = [
  ['tasks', '#/tasks', '待办'], ['done', '#/done', '已办'],
  ['started', '#/started', '我发起'], ['copied', '#/copied', '抄送我'],
];

export function listTabs(current) {
  return h('nav.tabs', { 'aria-label': '事项列表' }, kTabs.map(([key, href, text]) =>
    h('a.tab', { href, 'data-tab': key, 'aria-current': key === current ? 'page' : null }, text)));
}

function householdTitle(row) {
  return [h('span.head', row.head_name || `户号 ${row.household}`),
    row.head_name ? h('span.muted', `（户号 ${row.household}）`) : null];
}

function link(row) {
  return row.case ? `#/cases/${enc(row.case)}` : `#/households/${enc(row.household)}`;
}

function matches(row, q) {
  if (!q) return true;
  const text = `${row.head_name || ''} ${row.household || ''}`.toLowerCase();
  return text.includes(q.toLowerCase());
}

function searchBox(state, onChange) {
  const input = h('input#filter-search', {
    type: 'search', name: 'q', placeholder: '户主姓名或户号', autocomplete: 'off', enterkeyhint: 'search',
  });
  input.value = state.q;
  input.addEventListener('input', () => { state.q = input.value.trim(); onChange(); });
  return h('form.filters', { role: 'search', 'aria-label': '筛选', onsubmit: (e) => e.preventDefault() },
    h('label.sr-only', { for: 'filter-search' }, '搜索'), input);
}

// A list page: heading, tabs, filter, summary, rows.
async function listPage(view, { tab, title, path, empty, count, card, filters }) {
  const rows = (await get(path)) || [];
  const state = { step: '', village: '', overdue: false, q: '' };
  const list = h('ul.task-list#list', { 'aria-label': title });
  const summary = h('p.summary#list-summary', { 'aria-live': 'polite' });
  const draw = () => {
    const shown = filters ? applyFilters(rows, state) : rows.filter((r) => matches(r, state.q));
    put(clear(summary), rows.length ? [count(rows), shown.length !== rows.length ? `；筛选后 ${shown.length} 项` : ''] : empty);
    put(clear(list), shown.map(card));
  };
  const bar = rows.length > 1 ? (filters ? filterBar(rows, state, draw) : searchBox(state, draw)) : null;
  draw();
  put(view, h('div.page-head', h('h1', title)), listTabs(tab), bar, summary, list);
}

function doneCard(row) {
  const did = row.action_label || label(ACTIONS, row.action);
  const state = row.state_label ? `${row.state_label}${row.closed ? '（已办结）' : ''}` : null;
  return h('li.task-card.done-card', { 'data-case': row.case || '', 'data-household': row.household },
    h('div.task-top', h('h2.task-title', householdTitle(row)), h('div.badges', h('span.badge.deadline.ok', did))),
    h('dl.facts',
      row.workflow_label ? h('div', h('dt', '业务'), h('dd', row.workflow_label)) : null,
      row.step_label ? h('div', h('dt', '办理环节'), h('dd', row.step_label)) : null,
      h('div', h('dt', '办理时间'), h('dd', formatTime(row.at))),
      state ? h('div', h('dt', '当前状态'), h('dd', state)) : null,
      row.village ? h('div', h('dt', '所在村'), h('dd', row.village)) : null),
    row.comment ? h('p.wrap.muted', `意见：${row.comment}`) : null,
    h('div.button-row', h('a.button.secondary', { href: link(row) }, '查看')));
}

function waitingText(t) {
  const who = `${t.org_name || ''}${label(ROLES, t.role)}`;
  const late = deadlineText(t);
  return `${t.step_label || label(STEPS, t.step)} · ${who}${late ? ` · ${late}` : ''}`;
}

function startedCard(row) {
  const waiting = row.waiting || [];
  const late = waiting.some(isOverdue);
  return h(`li.task-card${late ? '.overdue' : ''}`, { 'data-case': row.case },
    h('div.task-top', h('h2.task-title', householdTitle(row)),
      h('div.badges', h(`span.badge.deadline.${row.closed ? 'ok' : 'soon'}`, row.closed ? '已办结' : '办理中'))),
    h('dl.facts',
      h('div', h('dt', '业务'), h('dd', row.workflow_label || label(WORKFLOWS, row.workflow))),
      h('div', h('dt', '当前状态'), h('dd', row.state_label || row.state)),
      h('div', h('dt', '发起时间'), h('dd', formatTime(row.created_at))),
      waiting.length ? h('div', h('dt', '待谁办理'), h('dd.wrap', waiting.map(waitingText).join('；'))) : null),
    h('div.button-row', h('a.button.secondary', { href: link(row) }, '查看')));
}

function copiedCard(row) {
  const late = deadlineText(row);
  const level = row.escalated_up === 1 ? '上报一级' : `上报 ${row.escalated_up} 级`;
  return h('li.task-card.overdue', { 'data-task': row.id, 'data-case': row.case || '' },
    h('div.task-top', h('h2.task-title', householdTitle(row)),
      h('div.badges', h('span.badge.returned-badge', `逾期督办 · ${level}`), late ? h('span.badge.deadline.late', late) : null)),
    h('dl.facts',
      h('div', h('dt', '办理环节'), h('dd', row.step_label || label(STEPS, row.step))),
      h('div', h('dt', '承办单位'), h('dd', `${row.org_name || '—'} · ${label(ROLES, row.role)}`)),
      row.village ? h('div', h('dt', '所在村'), h('dd', row.village)) : null,
      h('div', h('dt', '截止时间'), h('dd', formatTime(row.due_at)))),
    h('div.button-row', h('a.button.secondary', { href: link(row) }, '查看并催办')));
}

export function renderDone(view) {
  return listPage(view, {
    tab: 'done', title: '已办', path: '/api/v1/me/done', card: doneCard,
    empty: '您还没有办理过事项。', count: (rows) => `最近办理 ${rows.length} 项`,
  });
}

export function renderStarted(view) {
  return listPage(view, {
    tab: 'started', title: '我发起', path: '/api/v1/me/started', card: startedCard,
    empty: '您还没有发起过业务。',
    count: (rows) => `共 ${rows.length} 件，其中 ${rows.filter((r) => !r.closed).length} 件办理中`,
  });
}

export function renderCopied(view) {
  return listPage(view, {
    tab: 'copied', title: '抄送我', path: '/api/v1/me/copied', card: copiedCard, filters: true,
    empty: '没有逾期升级到本单位的事项。', count: (rows) => `${rows.length} 项逾期事项已升级到本单位督办`,
  });
}
