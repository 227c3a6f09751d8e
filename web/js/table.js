// Sortable data tables with CSV export (UTF-8 with BOM, so Excel shows Chinese correctly).
import { h, clear, formatNumber } from './dom.js';

// A column: {key, label, numeric?, value?(row) for sorting and CSV, render?(row) for the cell}.
function cellValue(col, row) {
  return col.value ? col.value(row) : row[col.key];
}

function compare(a, b, numeric) {
  const na = a === null || a === undefined || a === '';
  const nb = b === null || b === undefined || b === '';
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (numeric) return Number(a) - Number(b);
  return String(a).localeCompare(String(b), 'zh-CN');
}

// Text that starts like a formula (= + - @, tab, CR) gets a leading apostrophe, so a spreadsheet
// shows it and never runs it (=HYPERLINK(...)); numbers stay numbers. Same rule as the server's
// engine/core/csv.h NeutraliseCell.
function csvField(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvField(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellValue(c, row))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export function downloadCsv(filename, text) {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Returns a <section> with a heading, an export button and the table.
export function dataTable({ id, title, columns, rows, csvName, emptyText, initialSort }) {
  const state = { key: initialSort ? initialSort.key : null, dir: initialSort ? initialSort.dir : 1 };
  const tbody = h('tbody');
  const headRow = h('tr');
  const table = h('table.data', { id }, h('caption.sr-only', title), h('thead', headRow), tbody);

  function sortedRows() {
    if (!state.key) return rows;
    const col = columns.find((c) => c.key === state.key);
    return [...rows].sort((a, b) => state.dir * compare(cellValue(col, a), cellValue(col, b), col.numeric));
  }

  function renderHead() {
    clear(headRow);
    for (const col of columns) {
      const active = state.key === col.key;
      const sortWord = active ? (state.dir > 0 ? 'ascending' : 'descending') : 'none';
      const arrow = active ? (state.dir > 0 ? '▲' : '▼') : '⇅';
      headRow.append(h(`th${col.numeric ? '.num' : ''}`, { scope: 'col', 'aria-sort': sortWord },
        h('button.sort', {
          type: 'button',
          'data-key': col.key,
          title: `按“${col.label}”排序`,
          onclick: () => {
            state.dir = active ? -state.dir : col.numeric ? -1 : 1;
            state.key = col.key;
            render();
          },
        }, col.label, h('span.arrow', { 'aria-hidden': 'true' }, arrow))));
    }
  }

  function renderBody() {
    clear(tbody);
    if (!rows.length) {
      tbody.append(h('tr', h('td.empty', { colSpan: columns.length }, emptyText || '暂无数据')));
      return;
    }
    for (const row of sortedRows()) {
      tbody.append(h('tr', columns.map((col) => {
        const content = col.render ? col.render(row) : col.numeric ? formatNumber(cellValue(col, row)) : cellValue(col, row);
        return h(`td${col.numeric ? '.num' : ''}`, { 'data-label': col.label }, content ?? '—');
      })));
    }
  }

  function render() {
    renderHead();
    renderBody();
  }
  render();

  const exportButton = h('button.secondary', {
    type: 'button',
    'data-export': id,
    onclick: () => downloadCsv(csvName, toCsv(columns, sortedRows())),
  }, '导出CSV');
  return h('section.panel', { 'aria-labelledby': `${id}-title` },
    h('div.panel-head', h('h2', { id: `${id}-title` }, title), exportButton),
    h('div.table-scroll', { tabindex: '0', role: 'region', 'aria-label': title }, table));
}
