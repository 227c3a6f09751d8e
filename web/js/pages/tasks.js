// 我的待办: open tasks the official may act on, overdue first, then soonest due.
import { h, put, clear, formatTime, deadlineText, isOverdue } from '../dom.js';
import { get, enc, errorText } from '../api.js';
import { STEPS, ROLES, label } from '../labels.js';
import { guessActions, actionButtonClass, openActionPanel, doneMessage } from '../actions.js';
import { ACTIONS } from '../labels.js';

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

function taskCard(task, ctx, reload) {
  const panelHost = h('div.panel-host');
  const step = task.step_label || label(STEPS, task.step);
  const buttons = guessActions(task).map((action) => h(`button.${actionButtonClass(action)}`, {
    type: 'button',
    'data-action': action,
    'aria-label': `${label(ACTIONS, action)}：${task.head_name || task.household} 户 ${step}`,
    onclick: () => openActionPanel(panelHost, {
      caseId: task.case, action, ctx,
      onDone: (result) => {
        ctx.toast(`${task.head_name || task.household}：${doneMessage(action, result)}`);
        reload();
      },
    }),
  }, label(ACTIONS, action)));
  const links = [];
  if (task.case) links.push(h('a.button.secondary', { href: `#/cases/${enc(task.case)}` }, '案件详情'));
  links.push(h(`a.button.${task.case ? 'ghost' : 'primary'}`, { href: `#/households/${enc(task.household)}` },
    task.case ? '户详情' : '去办理'));
  return h(`li.task-card${isOverdue(task) ? '.overdue' : ''}`, { 'data-task': task.id, 'data-case': task.case || '' },
    h('div.task-top', h('h2.task-title', householdTitle(task)), deadlineBadge(task)),
    h('dl.facts',
      h('div', h('dt', '办理环节'), h('dd', step)),
      task.village ? h('div', h('dt', '所在村'), h('dd', task.village)) : null,
      h('div', h('dt', '截止时间'), h('dd', formatTime(task.due_at))),
      task.role ? h('div', h('dt', '办理岗位'), h('dd', label(ROLES, task.role))) : null),
    h('div.button-row', buttons, links),
    panelHost);
}

export async function renderTasks(view, ctx) {
  const list = h('ul.task-list#task-list', { 'aria-label': '待办列表' });
  const summary = h('p.summary#task-summary');

  async function load() {
    const tasks = sortTasks((await get('/api/v1/tasks')) || []);
    const late = tasks.filter(isOverdue).length;
    put(clear(summary), tasks.length
      ? ['共 ', h('strong', String(tasks.length)), ' 项待办', late ? ['，其中 ', h('strong.late-text', String(late)), ' 项已逾期'] : '']
      : '您目前没有待办事项。');
    clear(list);
    for (const task of tasks) list.append(taskCard(task, ctx, () => load().catch((err) => ctx.toast(errorText(err), 'error'))));
  }

  await load();
  view.append(
    h('div.page-head', h('h1', '我的待办'),
      h('button.secondary', { type: 'button', onclick: () => load().catch((err) => ctx.toast(errorText(err), 'error')) }, '刷新')),
    summary, list);
}
