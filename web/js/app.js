// The console's shell: session, header and menu, the hash router over routes.js, toasts. Started
// by boot.js (start()), which has already started the first page's data.
import { getToken, setUnauthorizedHandler, errorText, chineseMessage, api, dropPrefetched } from './api.js';
import { keepSession, dropSession, sessionMe, onSessionChange, takeSignInCode } from './session.js';
import { h, clear } from './dom.js';
import { ROLES, label } from './labels.js';
import { renderLogin } from './pages/login.js';
import { currentPath, findRoute, kDefaultPath } from './routes.js';

let main = null;  // #main, once the page's HTML is parsed (start())
const ctx = { me: null, toast, navigate, signOut };

let toastTimer = null;
export function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 12000 : 6000);
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signOut() {
  dropSession();
  ctx.me = null;
  renderShell();
  navigate('#/login');
}

function renderShell() {
  const who = document.getElementById('whoami');
  const nav = document.getElementById('nav');
  clear(who);
  nav.hidden = !ctx.me;
  if (!ctx.me) return;
  const me = ctx.me;
  who.append(
    h('span.who-name', me.name || me.id),
    h('span.badge.role', label(ROLES, me.role)),
    h('span.who-org', me.org_name || me.org || ''),
    h('button.link', { type: 'button', onclick: signOut }, '退出'));
}

function highlightNav(page) {
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// Who is signed in: kept with the session, so a page load costs no round trip before its own
// data (a revoked user still gets 401 on that data, and is signed out).
function loadMe() {
  if (!ctx.me && getToken()) ctx.me = sessionMe();
  if (!getToken()) ctx.me = null;
  renderShell();
  return ctx.me;
}

// The pasted user token for a session; null when the token is wrong (the form says so).
async function signInWithToken(token) {
  try {
    keepSession(await api('POST', '/api/v1/sessions', {}, token));
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
  ctx.me = null;
  return loadMe();
}

let routeSerial = 0;
async function route() {
  const serial = ++routeSerial;
  const path = currentPath();
  if (path === '/login' || !loadMe()) {
    highlightNav(null);
    clear(main);
    renderLogin(main, ctx, async (token) => {
      const me = await signInWithToken(token);
      if (me) navigate(path === '/login' ? '#/tasks' : `#${path}`);
      return me;
    }, ctx.signInError);
    ctx.signInError = null;
    return;
  }
  const found = findRoute(path);
  if (!found) {
    navigate(`#${kDefaultPath}`);
    return;
  }
  highlightNav(found.route.nav);
  clear(main);
  main.setAttribute('aria-busy', 'true');
  const loading = h('p.loading', '正在加载…');
  const view = h('div.view');
  main.append(loading, view);  // attached first: charts need their real size
  try {
    const page = await found.route.load();
    if (serial !== routeSerial) return;
    await page[found.route.render](view, ctx, ...found.args);
    if (serial !== routeSerial) return;
    loading.remove();
  } catch (err) {
    if (serial !== routeSerial) return;
    clear(main).append(h('section.panel.error-panel',
      h('h1', '无法显示此页面'), h('p', errorText(err)),
      h('p', h('a', { href: '#/tasks' }, '返回我的待办'))));
  } finally {
    if (serial === routeSerial) main.removeAttribute('aria-busy');
    dropPrefetched();  // answers the first page did not take are not reused later
  }
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function onUnauthorized() {
  dropSession();
  ctx.me = null;
  renderShell();
  if (location.hash !== '#/login') {
    toast('登录已失效，请重新登录', 'error');
    navigate('#/login');
  }
}

// Signing in or out in another tab applies here too.
function onOtherTab(token) {
  if (!token && ctx.me) {
    ctx.me = null;
    renderShell();
    navigate('#/login');
  } else if (token && !ctx.me) {
    route();
  }
}

// Called by boot.js once the page's HTML is parsed. Opened from DingTalk / WeCom / Feishu with a
// sign-in code: exchange it before the first page.
export async function start() {
  main = document.getElementById('main');
  setUnauthorizedHandler(onUnauthorized);  // a 401 that came before is handled now (api.js)
  onSessionChange(onOtherTab);
  const signIn = takeSignInCode();
  if (signIn) {
    clear(main).append(h('p.loading', '正在通过工作群应用登录…'));
    try {
      keepSession(await api('POST', '/api/v1/sessions', signIn, ''));  // no session of its own
      ctx.me = null;
    } catch (err) {
      ctx.signInError = chineseMessage(err.message) || errorText(err);
    }
  }
  window.addEventListener('hashchange', route);
  route();
}
