// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// 逾期督办: open and overdue work per child org, per person, and the late tasks themselves.
import { h, put, clear, formatTime, formatNumber } from '../dom.js';
import { get, enc, errorText } from '../api.js';
import { ROLES, STEPS, label } from '../labels.js';
import { dataTable } from '../table.js';
import { orgForm, statCards } from './orgform.js';

function sum(rows, key) {
  return rows.reduce((n, r) => n + (Number(r[key]) || 0), 0);
}

function report(data, org) {
  const byOrg = data.by_org || [];
  const byAssignee = data.by_assignee || [];
  const tasks = data.tasks || [];
  const stamp = (data.generated_at || '').slice(0, 10) || 'report';
  return [
    h('p.summary', `统计时间：${formatTime(data.generated_at)}`),
    // The headline is the whole subtree's, as the API counts it (the org's own tasks too, which
    // no child-org row holds); the sums of the rows are only a fallback.
    statCards([
      ['未办结', formatNumber(data.open ?? sum(byOrg, 'open'))],
      ['已逾期', formatNumber(data.overdue ?? sum(byOrg, 'overdue')), (data.overdue ?? sum(byOrg, 'overdue')) ? 'late' : ''],
      ['最长逾期（天）', formatNumber(Math.max(0, ...byOrg.map((r) => Number(r.max_days_late) || 0),
        ...tasks.map((t) => Number(t.days_late) || 0)))],
    ]),
    dataTable({
      id: 'overdue-by-org', title: '按下级单位', csvName: `逾期督办-按单位-${org}-${stamp}.csv`,
      initialSort: { key: 'overdue', dir: -1 },
      columns: [
        { key: 'org_name', label: '单位', value: (r) => r.org_name || r.org },
        { key: 'open', label: '未办结', numeric: true },
        { key: 'overdue', label: '已逾期', numeric: true },
        { key: 'max_days_late', label: '最长逾期天数', numeric: true },
      ],
      rows: byOrg, emptyText: '下级单位没有未办结事项',
    }),
    dataTable({
      id: 'overdue-by-assignee', title: '按责任人', csvName: `逾期督办-按责任人-${org}-${stamp}.csv`,
      initialSort: { key: 'overdue', dir: -1 },
      columns: [
        { key: 'name', label: '责任人', value: (r) => r.name || r.user || '（岗位待办，未指定到人）' },
        ...(byAssignee.some((r) => r.role) ? [{ key: 'role', label: '岗位', value: (r) => label(ROLES, r.role) }] : []),
        { key: 'org', label: '单位', value: (r) => r.org_name || r.org },
        { key: 'open', label: '未办结', numeric: true },
        { key: 'overdue', label: '已逾期', numeric: true },
        { key: 'max_days_late', label: '最长逾期天数', numeric: true },
      ],
      rows: byAssignee, emptyText: '没有责任人名下的未办结事项',
    }),
    dataTable({
      id: 'overdue-tasks', title: '逾期事项明细', csvName: `逾期督办-明细-${org}-${stamp}.csv`,
      initialSort: { key: 'days_late', dir: -1 },
      columns: [
        { key: 'head_name', label: '户主', value: (r) => r.head_name || r.household,
          render: (r) => h('a', { href: `#/households/${enc(r.household)}` }, r.head_name || r.household) },
        { key: 'household', label: '户号' },
        { key: 'step_label', label: '办理环节', value: (r) => r.step_label || label(STEPS, r.step) },
        { key: 'org', label: '承办单位', value: (r) => r.org_name || r.org },
        { key: 'due_at', label: '截止时间', value: (r) => formatTime(r.due_at) },
        { key: 'days_late', label: '逾期天数', numeric: true },
      ],
      rows: tasks, emptyText: '没有逾期事项',
    }),
  ];
}

export async function renderOverdue(view, ctx) {
  const body = h('div#overdue-report');
  let org = ctx.me.org || '';

  async function load() {
    clear(body).append(h('p.loading', '正在统计…'));
    try {
      const data = await get(`/api/v1/reports/overdue?org=${enc(org)}`);
      clear(formHost).append(orgForm(ctx, { org: data.org || org, org_name: data.org_name }, data.by_org, redraw, 'overdue'));
      put(clear(body), report(data, data.org || org));
    } catch (err) {
      clear(body).append(h('p.form-error', { role: 'alert' }, errorText(err)));
    }
  }

  function redraw(next) {
    org = next;
    load();
  }
  const formHost = h('div');
  view.append(h('h1', '逾期督办'),
    h('p.lead', '各乡镇、各责任人名下未办结和已逾期的事项。点击表头可排序，可导出为CSV表格。'),
    formHost, body);
  await load();
}
