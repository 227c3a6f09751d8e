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
// `draw`: false when the header waits to be drawn with the page (route()).
function loadMe(draw = true) {
  if (!ctx.me && getToken()) ctx.me = sessionMe();
  if (!getToken()) ctx.me = null;
  if (draw) renderShell();
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
let firstRoute = true;  // #main still holds the page's own 正在加载… (index.html)
const kFrameAfterMs = 400;
async function route() {
  const serial = ++routeSerial;
  const path = currentPath();
  if (path === '/login' || !loadMe(false)) {
    renderShell();
    highlightNav(null);
    firstRoute = false;
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
  main.setAttribute('aria-busy', 'true');
  // The page's first draw goes into the document whole with the header and menu, once its data is
  // in: one style and layout pass, not one for the signed-in header, one for the page's empty frame
  // and another for its content (under a phone's slow CPU those cost 0.1-0.3 s of main thread each
  // in traces of a new tab, while the data came in: docs/console.md, "phase 7, drawing"). A page
  // with charts is put in first (they need their real size); a page whose data is slow shows its
  // frame after kFrameAfterMs. The page's own 正在加载… stays until then.
  const loading = firstRoute && main.querySelector(':scope > p.loading') || h('p.loading', '正在加载…');
  if (!firstRoute) clear(main).append(loading);
  firstRoute = false;
  const view = h('div.view');
  const shell = () => {
    renderShell();
    highlightNav(found.route.nav);
  };
  const show = () => {
    if (view.isConnected || serial !== routeSerial) return;
    shell();
    if (loading.isConnected) loading.after(view);
    else main.append(view);
  };
  if (found.route.charts) show();
  const frameTimer = setTimeout(show, kFrameAfterMs);
  try {
    const page = await found.route.load();
    if (serial !== routeSerial) return;
    await page[found.route.render](view, ctx, ...found.args);
    if (serial !== routeSerial) return;
    if (view.isConnected) loading.remove();
    else {
      shell();
      loading.replaceWith(view);
    }
  } catch (err) {
    if (serial !== routeSerial) return;
    if (!view.isConnected) shell();
    clear(main).append(h('section.panel.error-panel',
      h('h1', '无法显示此页面'), h('p', errorText(err)),
      h('p', h('a', { href: '#/tasks' }, '返回我的待办'))));
  } finally {
    clearTimeout(frameTimer);
    if (serial === routeSerial) main.removeAttribute('aria-busy');
    dropPrefetched();  // answers the first page did not take are not reused later
  }
  // A microtask later: focusing lays the page out at once (forced layout), after what watches the
  // page for its content (bench/console_phone.mjs) has seen it, as before the page went in whole.
  await null;
  if (serial !== routeSerial) return;
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
