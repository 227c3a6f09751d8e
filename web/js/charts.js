// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// The report pages' charts (Apache ECharts, loaded by chart-library.js); when it is missing,
// charts are skipped and the pages keep their tables.
import { h } from './dom.js';
import { loadEcharts } from './chart-library.js';

export { loadEcharts };

const kPalette = ['#1f6fb2', '#e07b39', '#2e9e6a', '#c0392b', '#8e6bbf', '#b8860b', '#16a2b8', '#6c757d'];
const charts = new Set();
window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

// A chart box: role=img with a text summary for screen readers.
export function chartBox(id, title, summary) {
  return h('figure.chart-box', h('figcaption', title),
    h('div.chart', { id, role: 'img', 'aria-label': `${title}：${summary}` }));
}

function init(echarts, id, option) {
  const el = document.getElementById(id);
  if (!el) return;
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  // Tooltips drawn on the canvas: HTML tooltips carry inline style attributes, which the
  // server's Content-Security-Policy (style-src 'self') refuses.
  if (option.tooltip) option.tooltip = { ...option.tooltip, renderMode: 'richText' };
  chart.setOption({ animation: false, color: kPalette, textStyle: { fontSize: 13 }, ...option });
  charts.add(chart);
}

const narrow = () => window.innerWidth < 600;

// On a phone, bars lie down (category names read in full on the left) and pies drop their outer
// labels for a legend that carries the figures, so no label is cut at the screen's edge.
export function barChart(echarts, id, categories, series, { horizontal = false, stacked = false } = {}) {
  const lying = horizontal || narrow();
  const catAxis = { type: 'category', data: categories, axisLabel: { interval: 0, width: narrow() ? 96 : 140, overflow: 'break' } };
  const valAxis = { type: 'value', minInterval: 1 };
  const el = document.getElementById(id);
  if (el && lying) el.style.height = `${Math.max(240, 56 + categories.length * (stacked ? 34 : 30))}px`;
  init(echarts, id, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: series.length > 1 ? { top: 0, type: 'scroll' } : undefined,
    grid: { left: 8, right: 28, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
    xAxis: lying ? valAxis : catAxis,
    yAxis: lying ? { ...catAxis, inverse: true } : valAxis,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack: stacked ? 'total' : undefined,
      barMaxWidth: 36, label: { show: !stacked, position: lying ? 'right' : 'top' } })),
  });
}

export function pieChart(echarts, id, items) {
  const small = narrow();
  const byName = Object.fromEntries(items.map((i) => [i.name, i.value]));
  init(echarts, id, {
    tooltip: { trigger: 'item', formatter: '{b}：{c}户（{d}%）' },
    legend: { bottom: 0, type: small ? 'plain' : 'scroll', formatter: (name) => (small ? `${name} ${byName[name]}户` : name) },
    series: [{ type: 'pie', radius: small ? ['30%', '55%'] : ['35%', '62%'], center: ['50%', small ? '40%' : '45%'], data: items,
      label: small ? { show: false } : { formatter: '{b}\n{c}户', fontSize: 12 } }],
  });
}
