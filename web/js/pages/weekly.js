// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// 每周进展: the page a county's weekly chat message links to: the week's figures and the full
// workbook (fetched with the session's token, then saved as a file).
import { h } from '../dom.js';
import { get, enc, getToken } from '../api.js';

async function download(org, week) {
  const res = await fetch(`/api/v1/reports/weekly?org=${enc(org)}&week=${enc(week)}&format=xlsx`,
    { headers: { Authorization: `Bearer ${getToken()}` } });
  if (!res.ok) throw new Error('下载失败');
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: `每周进展-${org}-${week}.xlsx` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function renderWeekly(view, ctx, org, week) {
  const data = await get(`/api/v1/reports/weekly?org=${enc(org)}&week=${enc(week)}`);
  const button = h('button.primary#weekly-download', {
    onclick: () => download(org, week).catch((e) => ctx.toast(e.message, 'error')),
  }, '下载完整报表（xlsx）');
  view.append(h('h2', `${data.org_name} 每周进展（${data.from} 至 ${data.to}）`),
    h('p.summary#weekly-text', data.text), button);
}
