// 我的待办: open tasks the official may act on, overdue first, then soonest due; filters by step,
// village and overdue, search by household name or number; a 退回 mark with its reason; the
// step's own action labels (the same as on the case page).
import { h, put, clear, formatTime, deadlineText, isOverdue } from '../dom.js';
import { get, enc, errorText } from '../api.js';
import { STEPS, ROLES, label } from '../labels.js';
import { actionButtonClass, openActionPanel, doneMessage, normalizeActions } from '../actions.js';
import { holds } from '../followups.js';
import { listTabs } from './lists.js';

export function sortTasks(tasks) {
  const due = (t) => (t.due_at ? new Date(t.due_at).getTime() : Infinity);
  return [...tasks].sort((a, b) => (isOverdue(b) - isOverdue(a)) || (due(a) - due(b)));
}

function householdTitle(task) {
  if (task.head_name) return [h('span.head', task.head_name), h('span.muted', `（户号 ${task.household}）`)];
  return h('span.head', `户号 ${task.household}`);
}

function deadlineBadge(task) {
  const text = deadlineText(task);
  if (!text) return null;
  const kind = isOverdue(task) ? 'late' : typeof task.days_left === 'number' && task.days_left <= 2 ? 'soon' : 'ok';
  return h(`span.badge.deadline.${kind}`, text);
}

// Quick actions straight from the list only where nothing but a comment is needed; the rest
// (village records, a department to choose) open the case page.
function quickActions(task) {
  const actions = normalizeActions(task.actions) || [];
  return actions.filter((a) => !(a.requires || []).some((f) => f.startsWith('data.')) && !(a.optional || []).length &&
    a.action !== 'submit');
}

function taskCard(task, ctx, reload) {
  const panelHost = h('div.panel-host');
  const step = task.step_label || label(STEPS, task.step);
  const buttons = quickActions(task).map((def) => h(`button.${actionButtonClass(def.action)}`, {
    type: 'button',
    'data-action': def.action,
    'aria-label': `${def.label}：${task.head_name || task.household} 户 ${step}`,
    onclick: () => openActionPanel(panelHost, {
      caseId: task.case, action: def.action, def,
      onDone: (result) => {
        ctx.toast(`${task.head_name || task.household}：${doneMessage(def.label, result)}`);
        reload();
      },
    }),
  }, def.label));
  const target = task.case ? `#/cases/${enc(task.case)}` : `#/households/${enc(task.household)}`;
  const links = [h(`a.button.${buttons.length ? 'secondary' : 'primary'}`, { href: target, 'data-go': task.id },
    holds(ctx.me, task) ? '去办理' : '查看')];
  if (task.case) links.push(h('a.button.ghost', { href: `#/households/${enc(task.household)}` }, '户详情'));
  const ret = task.returned;
  return h(`li.task-card${isOverdue(task) ? '.overdue' : ''}${ret ? '.was-returned' : ''}`, { 'data-task': task.id, 'data-case': task.case || '' },
    h('div.task-top', h('h2.task-title', householdTitle(task)),
      h('div.badges', ret ? h('span.badge.returned-badge', ret.action === 'object' ? '有异议' : '退回') : null, deadlineBadge(task))),
    ret ? h('p.returned-reason.wrap', `${ret.by_name || ret.by || ''}退回：${ret.comment || '（未填写理由）'}`) : null,
    h('dl.facts',
      h('div', h('dt', '办理环节'), h('dd', step)),
      task.village ? h('div', h('dt', '所在村'), h('dd', task.village)) : null,
      h('div', h('dt', '截止时间'), h('dd', formatTime(task.due_at))),
      task.role ? h('div', h('dt', '办理岗位'), h('dd', label(ROLES, task.role))) : null),
    h('div.button-row', buttons, links),
    panelHost);
}

// The filter bar: step, village, overdue only, and a search box (name or number).
export function filterBar(tasks, state, onChange) {
  const steps = [...new Map(tasks.map((t) => [t.step, t.step_label || label(STEPS, t.step)])).entries()];
  const villages = [...new Set(tasks.map((t) => t.village).filter(Boolean))];
  const stepSel = h('select#filter-step', { name: 'step' }, h('option', { value: '' }, '全部环节'),
    steps.map(([v, t]) => h('option', { value: v }, t)));
  const villageSel = h('select#filter-village', { name: 'village' }, h('option', { value: '' }, '全部村'),
    villages.map((v) => h('option', { value: v }, v)));
  const late = h('input#filter-overdue', { type: 'checkbox', name: 'overdue' });
  const search = h('input#filter-search', { type: 'search', name: 'q', placeholder: '户主姓名或户号', autocomplete: 'off', enterkeyhint: 'search' });
  stepSel.value = state.step;
  villageSel.value = state.village;
  late.checked = state.overdue;
  search.value = state.q;
  const changed = () => {
    Object.assign(state, { step: stepSel.value, village: villageSel.value, overdue: late.checked, q: search.value.trim() });
    onChange();
  };
  for (const el of [stepSel, villageSel, late]) el.addEventListener('change', changed);
  search.addEventListener('input', changed);
  return h('form.filters', { role: 'search', 'aria-label': '筛选待办', onsubmit: (e) => e.preventDefault() },
    h('label.sr-only', { for: 'filter-search' }, '搜索'), search,
    h('label.sr-only', { for: 'filter-step' }, '办理环节'), stepSel,
    villages.length > 1 ? [h('label.sr-only', { for: 'filter-village' }, '所在村'), villageSel] : null,
    h('label.check', late, '只看已逾期'));
}

export function applyFilters(tasks, state) {
  const q = state.q.toLowerCase();
  return tasks.filter((t) => (!state.step || t.step === state.step) && (!state.village || t.village === state.village) &&
    (!state.overdue || isOverdue(t)) &&
    (!q || String(t.head_name || '').toLowerCase().includes(q) || String(t.household).toLowerCase().includes(q)));
}

export async function renderTasks(view, ctx) {
  const list = h('ul.task-list#task-list', { 'aria-label': '待办列表' });
  const summary = h('p.summary#task-summary', { 'aria-live': 'polite' });
  const filtersHost = h('div');
  const state = { step: '', village: '', overdue: false, q: '' };
  let tasks = [];

  function draw() {
    const shown = applyFilters(tasks, state);
    const late = tasks.filter(isOverdue).length;
    put(clear(summary), tasks.length
      ? ['共 ', h('strong', String(tasks.length)), ' 项待办', late ? ['，其中 ', h('strong.late-text', String(late)), ' 项已逾期'] : '',
        shown.length !== tasks.length ? `；筛选后 ${shown.length} 项` : '']
      : '您目前没有待办事项。');
    clear(list);
    for (const task of shown) list.append(taskCard(task, ctx, () => load().catch((err) => ctx.toast(errorText(err), 'error'))));
  }

  async function load() {
    tasks = sortTasks((await get('/api/v1/tasks')) || []);
    clear(filtersHost);
    if (tasks.length > 1) filtersHost.append(filterBar(tasks, state, draw));
    draw();
  }

  await load();
  view.append(
    h('div.page-head', h('h1', '我的待办'),
      h('button.secondary', { type: 'button', onclick: () => load().catch((err) => ctx.toast(errorText(err), 'error')) }, '刷新')),
    listTabs('tasks'), filtersHost, summary, list);
}
