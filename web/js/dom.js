// Small DOM and formatting helpers shared by the pages.

// h('div.card#x', {onclick, 'aria-label': ...}, child, [children], 'text')
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || 'div');
  for (const part of rest) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

const kChinaZone = 'Asia/Shanghai';

// "2026-03-02 09:00" in China time, whatever the browser's zone.
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: kChinaZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t) => (parts.find((p) => p.type === t) || {}).value || '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function formatNumber(n) {
  if (n === null || n === undefined || n === '') return '—';
  return typeof n === 'number' ? n.toLocaleString('zh-CN') : String(n);
}

// Deadline wording: "还剩N天", "今天到期", "已逾期N天"; null when nothing is known.
export function deadlineText(task) {
  const days = typeof task.days_left === 'number' ? task.days_left : null;
  if (task.overdue) {
    if (days !== null && days < 0) return `已逾期${-days}天`;
    return '已逾期';
  }
  if (days === null) return null;
  if (days < 0) return `已逾期${-days}天`;
  if (days === 0) return '今天到期';
  return `还剩${days}天`;
}

export function isOverdue(task) {
  return Boolean(task.overdue) || (typeof task.days_left === 'number' && task.days_left < 0);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Like Element.append, but skips null/false and flattens arrays (as h() does).
export function put(el, ...children) {
  append(el, children);
  return el;
}

// Resident ID numbers (18 characters, the last may be X) are shown as the first 6 and the last 4
// with * between, as every answer of the server shows them.
export function looksLikeIdNumber(text) {
  return /^\d{17}[\dXx]$/.test(String(text).trim());
}

export function maskIdNumber(text) {
  const s = String(text).trim();
  if (s.includes('*') || s.length < 11) return s;
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}
