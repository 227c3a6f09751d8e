// The page's first script (index.html: a plain script in the head, before the stylesheet and the
// app; built as one small file of its own by scripts/build-web.sh). In a tab with a kept session
// it starts the page's API calls (route-table.js `data`) at once, while the browser is still
// reading the page, laying out its frame and compiling the app; api.js's prefetch() takes the
// answers. A later page opened in a new tab on a phone then waits for the app or its data,
// whichever comes last, not for both one after the other (docs/console.md, "Transfer cost").
// It runs before boot.js: the parser reaches it first and a module script waits for its tag.
import { sessionToken, sessionMe, hasSignInCode } from './session.js';
import { currentPath, findRoute } from './route-table.js';

function startEarly() {
  if (window.dixianEarly) return;  // the app already runs (unbundled, early.js is a module too)
  const started = new Map();  // path -> the fetch's promise of a Response
  window.dixianEarly = started;
  if (hasSignInCode()) return;
  const token = sessionToken();
  const me = token ? sessionMe() : null;
  const found = me ? findRoute(currentPath()) : null;
  if (!found || !found.route.data) return;
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  for (const path of found.route.data(me, ...found.args)) {
    const response = fetch(path, { headers });
    response.catch(() => {});  // the page that takes it handles the error
    started.set(path, response);
  }
  performance.mark('dixian:early');  // tests/web/bundle.test.mjs, bench/console_phone.mjs
}

startEarly();
