// 佐证材料 on the case page (drawn by pages/case.js after the rest of the page): the files of the case with
// thumbnails for photos, the kinds the next action requires, and uploads — the camera of a
// clerk's phone (capture) or a file picker for PDFs. Files are read through the authenticated
// API (Bearer header), so thumbnails are blob: URLs this page makes from those bytes; nothing is
// loaded from another origin.
import { h, formatTime } from './dom.js';
import { ApiError, enc, errorText, getToken } from './api.js';

export const KINDS = {
  meeting_minutes: '民主评议会议记录',
  visit_photo: '入户照片',
  signed_form: '签字材料',
  other: '其他材料',
};
const kMaxBytes = 10 * 1024 * 1024;

function stylesheet() {
  if (document.getElementById('evidence-css')) return;
  const link = document.createElement('link');
  link.id = 'evidence-css';
  link.rel = 'stylesheet';
  link.href = new URL('../css/evidence.css', import.meta.url).href;
  document.head.append(link);
}

async function fetchBytes(id) {
  const res = await fetch(`/api/v1/attachments/${enc(id)}`, { headers: { Authorization: `Bearer ${getToken()}` } });
  if (!res.ok) throw new ApiError(res.status, '', '');
  return res.blob();
}

async function upload(caseId, kind, file) {
  const res = await fetch(`/api/v1/cases/${enc(caseId)}/attachments?kind=${enc(kind)}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${getToken()}`,
      'Content-Type': file.type || 'application/octet-stream',
      'X-Filename': enc(file.name || ''),
      Accept: 'application/json',
    },
    body: file,
  });
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  if (!res.ok) {
    const e = (json && json.error) || {};
    throw new ApiError(res.status, e.code || '', e.message || '');
  }
  return json;
}

function sizeText(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

// The kinds the caller's next actions require, each with whether the case holds one.
export function requiredKinds(c) {
  const mine = new Set(c.my_actions || []);
  const out = new Map();
  for (const a of c.allowed_actions || []) {
    if (!mine.has(a.action)) continue;
    for (const need of a.requires_evidence || []) {
      if (!out.has(need.kind)) out.set(need.kind, { ...need, actions: [] });
      out.get(need.kind).actions.push(a.label);
    }
  }
  const held = new Set((c.attachments || []).map((a) => a.kind));
  return [...out.values()].map((need) => ({ ...need, held: held.has(need.kind) }));
}

// The bytes of `a` as a blob: URL, fetched once (through the API, Bearer header); revoked on leaving.
function loader(a, urls) {
  let load = null;
  const bytes = () => {
    load = load || fetchBytes(a.id).then((blob) => {
      const url = URL.createObjectURL(blob);
      urls.push(url);
      return url;
    });
    return load.catch((err) => { load = null; throw err; });
  };
  const open = async () => {
    let url;
    try {
      url = await bytes();
    } catch {
      return;
    }
    const link = h('a', { href: url, download: a.filename });
    document.body.append(link);
    link.click();
    link.remove();
  };
  return { bytes, open };
}

const isImage = (a) => (a.content_type || '').startsWith('image/');
const altText = (a) => `${a.kind_label || KINDS[a.kind] || a.kind}：${a.filename}`;

// Photos are fetched for their thumbnails at once; other files when opened.
function showThumb(thumb, bytes) {
  bytes().then((url) => { thumb.src = url; }, () => thumb.replaceWith(h('span.evidence-icon', '无法显示')));
}

function item(a, urls) {
  const thumb = isImage(a) ? h('img.evidence-thumb', { alt: altText(a), loading: 'lazy' }) : h('span.evidence-icon', 'PDF');
  const { bytes, open } = loader(a, urls);
  const li = h('li.evidence-item', { 'data-attachment': a.id, 'data-kind': a.kind }, thumb,
    h('div.evidence-meta',
      h('p', h('span.badge', a.kind_label || KINDS[a.kind] || a.kind), ' ', h('span.wrap', a.filename)),
      h('p.muted', `${sizeText(a.size)} · ${formatTime(a.at)}`),
      h('button.link', { type: 'button', onclick: open }, '查看')));
  if (isImage(a)) showThumb(thumb, bytes);
  return li;
}

function revokeOnLeaving(urls) {
  window.addEventListener('hashchange', () => urls.forEach((u) => URL.revokeObjectURL(u)), { once: true });
}

// A visit's files on the household page (走访照片): a row of thumbnails, each opening its file.
// The bytes come through the same API as the case page's, so only those who may read the
// household (the visit's) see them; an unreadable one shows 无法显示.
export function visitPhotos(list, visitId) {
  stylesheet();
  const urls = [];
  revokeOnLeaving(urls);
  return h('ul.plain-list.visit-photos', { 'data-visit-photos': visitId }, list.map((a) => {
    const { bytes, open } = loader(a, urls);
    // Not lazy: the bytes are fetched already, and a lazy image low on the page stays unloaded.
    const thumb = isImage(a) ? h('img.evidence-thumb', { alt: altText(a) }) : h('span.evidence-icon', 'PDF');
    if (isImage(a)) showThumb(thumb, bytes);
    return h('li', { 'data-attachment': a.id, 'data-kind': a.kind },
      h('button.visit-photo', { type: 'button', title: `查看 ${a.filename}`, onclick: open }, thumb));
  }));
}

// Renders the section into `host`. `reload` re-renders the case page after an upload.
export function renderEvidence(host, c, ctx, reload) {
  stylesheet();
  const urls = [];
  const needs = requiredKinds(c);
  const list = c.attachments || [];
  const kind = h('select#evidence-kind', { name: 'kind', 'aria-label': '材料类别' },
    Object.entries(KINDS).map(([k, label]) => h('option', { value: k }, label)));
  const firstMissing = needs.find((n) => !n.held);
  kind.value = firstMissing ? firstMissing.kind : 'visit_photo';
  const status = h('p.evidence-status', { role: 'status' });

  const send = async (input) => {
    const file = input.files && input.files[0];
    input.value = '';
    if (!file) return;
    if (file.size > kMaxBytes) {
      status.textContent = `文件过大：上限为 10 MB（所选文件 ${sizeText(file.size)}）`;
      return;
    }
    status.textContent = `正在上传 ${file.name}…`;
    try {
      await upload(c.id, kind.value, file);
      ctx.toast(`已上传${KINDS[kind.value]}`);
      reload();
    } catch (err) {
      status.textContent = errorText(err);
      ctx.toast(errorText(err), 'error');
    }
  };
  const camera = h('input#evidence-camera', { type: 'file', accept: 'image/*', capture: 'environment', onchange: (e) => send(e.target) });
  const picker = h('input#evidence-file', { type: 'file', accept: 'application/pdf,image/jpeg,image/png,image/webp,image/heic', onchange: (e) => send(e.target) });

  host.replaceChildren(
    h('h2', '佐证材料'),
    needs.length ? h('ul.plain-list.evidence-needs#evidence-needs', needs.map((n) => h(`li.${n.held ? 'held' : 'missing'}`,
      { 'data-kind': n.kind },
      n.held ? `✓ 已上传${n.label}` : `“${n.actions.join('、')}”前需上传：${n.label}`))) : null,
    list.length ? h('ul.plain-list.evidence-list#evidence-list', list.map((a) => item(a, urls)))
      : h('p.muted#evidence-empty', '尚未上传佐证材料。'),
    h('div.evidence-upload',
      h('label', '材料类别 ', kind),
      h('label.button.evidence-pick', '拍照上传', camera),
      h('label.button.ghost.evidence-pick', '选择文件（PDF 或图片）', picker),
      h('p.help', '照片、PDF，单个文件不超过 10 MB。')),
    status);
  revokeOnLeaving(urls);  // object URLs live until the page is left
}
