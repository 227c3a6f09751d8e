// Prints the benchmark table from bench/out/results.jsonl (one JSON row per line, written by run.sh):
//   {"name":"sqlite.batch1","label":"...","value":412.5,"unit":"transitions/s","vs":"sqlite.batch1","note":"..."}
// "vs" names another row: the ratio column shows value / that row's value. A row with a null value
// is an empty slot (a benchmark not written yet) and is shown as such.
import fs from 'node:fs';

const file = process.argv[2] ?? 'bench/out/results.jsonl';
const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const byName = new Map(rows.map((r) => [r.name, r]));

function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function ratio(r) {
  return [].concat(r.vs ?? []).map((name) => {
    const base = byName.get(name);
    if (r.value == null || !base || base.value == null || base.value === 0) return null;
    return `${(r.value / base.value).toFixed(2)}x ${name}`;
  }).filter(Boolean).join(', ');
}

const table = rows.map((r) => [r.name, r.label, fmt(r.value), r.unit ?? '', ratio(r), r.note ?? '']);
const head = ['benchmark', 'what', 'figure', 'unit', 'ratio', 'note'];
// Width by code points, so Chinese labels do not break the columns too badly.
const width = (s) => [...String(s)].reduce((n, ch) => n + (ch.codePointAt(0) > 0x2e80 ? 2 : 1), 0);
const cols = head.map((h, i) => Math.max(width(h), ...table.map((row) => width(row[i]))));
const line = (cells) => cells.map((c, i) => {
  const pad = ' '.repeat(cols[i] - width(c));
  return i === 2 ? pad + c : c + pad;
}).join('  ').trimEnd();
console.log(line(head));
console.log(cols.map((n) => '-'.repeat(n)).join('  '));
for (const row of table) console.log(line(row));
