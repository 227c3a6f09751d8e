// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// 监测统计: households and persons by type, status, type x primary cause; measures by kind.
import { h, put, clear, formatNumber } from '../dom.js';
import { get, enc, errorText } from '../api.js';
import { CAUSES, MEASURE_KINDS, STATUSES, TYPES, label } from '../labels.js';
import { dataTable } from '../table.js';
import { loadEcharts, chartBox, barChart, pieChart } from '../charts.js';
import { orgForm, statCards } from './orgform.js';

function typeOrder(report) {
  const seen = (report.by_type || []).map((r) => r.type);
  for (const t of Object.keys(TYPES)) if (!seen.includes(t)) seen.push(t);
  return seen;
}

function typeName(report, type) {
  const row = (report.by_type || []).find((r) => r.type === type);
  return (row && row.label) || label(TYPES, type);
}

// Rows per primary cause with 户/人 per type, as in the county's own tables.
function causePivot(report, types) {
  const rows = new Map();
  for (const r of report.by_type_cause || []) {
    if (!rows.has(r.cause)) rows.set(r.cause, { cause: r.cause, cause_label: r.cause_label || label(CAUSES, r.cause), households: 0, persons: 0 });
    const row = rows.get(r.cause);
    row[`h_${r.type}`] = (row[`h_${r.type}`] || 0) + (r.households || 0);
    row[`p_${r.type}`] = (row[`p_${r.type}`] || 0) + (r.persons || 0);
    row.households += r.households || 0;
    row.persons += r.persons || 0;
  }
  const columns = [{ key: 'cause_label', label: '主要风险' },
    { key: 'households', label: '合计户数', numeric: true }, { key: 'persons', label: '合计人数', numeric: true }];
  for (const t of types) {
    columns.push({ key: `h_${t}`, label: `${typeName(report, t)}（户）`, numeric: true, value: (r) => r[`h_${t}`] || 0 },
      { key: `p_${t}`, label: `${typeName(report, t)}（人）`, numeric: true, value: (r) => r[`p_${t}`] || 0 });
  }
  return { rows: [...rows.values()], columns };
}

function tables(report, org, types) {
  const countCols = [{ key: 'households', label: '户数', numeric: true }, { key: 'persons', label: '人数', numeric: true }];
  const pivot = causePivot(report, types);
  return [
    dataTable({ id: 'stats-by-type', title: '按监测对象类型', csvName: `监测统计-按类型-${org}.csv`,
      columns: [{ key: 'label', label: '类型', value: (r) => r.label || label(TYPES, r.type) }, ...countCols],
      rows: report.by_type || [] }),
    dataTable({ id: 'stats-by-status', title: '按风险状态', csvName: `监测统计-按状态-${org}.csv`,
      columns: [{ key: 'label', label: '状态', value: (r) => r.label || label(STATUSES, r.status) }, ...countCols],
      rows: report.by_status || [] }),
    dataTable({ id: 'stats-by-cause', title: '按类型和主要风险', csvName: `监测统计-按类型和主要风险-${org}.csv`,
      columns: pivot.columns, rows: pivot.rows, initialSort: { key: 'households', dir: -1 } }),
    dataTable({ id: 'stats-measures', title: '帮扶措施覆盖情况', csvName: `监测统计-帮扶措施-${org}.csv`,
      columns: [{ key: 'label', label: '措施类别', value: (r) => r.label || label(MEASURE_KINDS, r.kind) },
        { key: 'households', label: '覆盖户数', numeric: true },
        ...types.map((t) => ({ key: `t_${t}`, label: `其中${typeName(report, t)}`, numeric: true,
          value: (r) => (r.by_type && r.by_type[t]) || 0 }))],
      rows: report.measures || [], emptyText: '尚无帮扶措施' }),
  ];
}

async function drawCharts(host, report, types) {
  const echarts = await loadEcharts();
  if (!echarts) {
    host.append(h('p.notice#charts-missing', '图表组件未安装（web/node_modules 中缺少 echarts），以下仅显示表格。'));
    return;
  }
  const byType = (report.by_type || []).filter((r) => r.households);
  const byStatus = (report.by_status || []).filter((r) => r.households);
  const causes = [...new Set((report.by_type_cause || []).map((r) => r.cause))];
  const causeName = (c) => ((report.by_type_cause || []).find((r) => r.cause === c) || {}).cause_label || label(CAUSES, c);
  host.append(h('div.chart-grid',
    chartBox('chart-cause', '各类主要风险的户数', causes.map((c) => causeName(c)).join('、') || '无数据'),
    chartBox('chart-type', '监测对象类型构成', byType.map((r) => `${r.label || label(TYPES, r.type)}${r.households}户`).join('，') || '无数据'),
    chartBox('chart-status', '风险状态构成', byStatus.map((r) => `${r.label || label(STATUSES, r.status)}${r.households}户`).join('，') || '无数据'),
    chartBox('chart-measures', '帮扶措施覆盖户数', (report.measures || []).map((r) => `${r.label || r.kind}${r.households}户`).join('，') || '无数据')));
  barChart(echarts, 'chart-cause', causes.map(causeName), types.map((t) => ({
    name: typeName(report, t),
    data: causes.map((c) => (report.by_type_cause || []).filter((r) => r.cause === c && r.type === t)
      .reduce((n, r) => n + (r.households || 0), 0)),
  })), { stacked: true });
  pieChart(echarts, 'chart-type', byType.map((r) => ({ name: r.label || label(TYPES, r.type), value: r.households })));
  pieChart(echarts, 'chart-status', byStatus.map((r) => ({ name: r.label || label(STATUSES, r.status), value: r.households })));
  barChart(echarts, 'chart-measures', (report.measures || []).map((r) => r.label || label(MEASURE_KINDS, r.kind)),
    [{ name: '覆盖户数', data: (report.measures || []).map((r) => r.households || 0) }], { horizontal: true });
}

export async function renderStats(view, ctx) {
  const body = h('div#stats-report');
  const formHost = h('div');
  let org = ctx.me.org || '';

  async function load() {
    clear(body).append(h('p.loading', '正在统计…'));
    let report;
    try {
      report = await get(`/api/v1/reports/monitoring?org=${enc(org)}`);
      clear(formHost).append(orgForm(ctx, { org: report.org || org, org_name: report.org_name }, [], redraw, 'stats'));
    } catch (err) {
      clear(body).append(h('p.form-error', { role: 'alert' }, errorText(err)));
      return;
    }
    const types = typeOrder(report);
    const chartHost = h('div.charts');
    put(clear(body),
      statCards([['监测户数', formatNumber(report.households)], ['监测人数', formatNumber(report.persons)]]),
      chartHost, tables(report, report.org || org, types));
    await drawCharts(chartHost, report, types);
  }

  function redraw(next) {
    org = next;
    load();
  }
  view.append(h('h1', '监测统计'),
    h('p.lead', '监测对象户数、人数，按类型、风险状态、主要风险和帮扶措施分类汇总。'), formHost, body);
  await load();
}
