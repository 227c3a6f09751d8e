// The page's entry (index.html, `async`). It starts what the first page needs before anything else:
// the page's API calls (route-table.js `data`: early.js has usually started them already, api.js
// takes those) and, for a lazily loaded page, its chunk; then it starts the shell (app.js). On a
// phone the data's round trip overlaps the shell's work instead of following it. Built, this is
// the console's bundle (scripts/build-web.sh): every module but the lazily loaded report pages in
// one file.
import { sessionToken, sessionMe, hasSignInCode } from './session.js';
import { prefetch } from './api.js';
import { currentPath, findRoute } from './routes.js';
import { start } from './app.js';
import { registerWorker } from './worker.js';

performance.mark('dixian:boot');  // when the console's first line runs (bench/console_phone.mjs)

function startFirstPage() {
  // Opened with a chat platform's sign-in code: the session comes first (app.js).
  if (hasSignInCode()) return;
  const me = sessionToken() ? sessionMe() : null;
  if (!me) return;
  const found = findRoute(currentPath());
  if (!found) return;
  if (found.route.data) for (const path of found.route.data(me, ...found.args)) prefetch(path);
  Promise.resolve(found.route.load()).catch(() => {});  // app.js shows a failure in words
}

startFirstPage();
// index.html loads this `async`: it may run before the page's HTML is parsed and drawn; the shell
// needs the page's elements, which are all there once the body's last one (#toast) is. Not
// waiting for DOMContentLoaded: under a slow CPU the parser's end comes after a layout of the
// empty frame, 0.1-0.3 s after this line (traces of a case page in a new tab, phone profile).
if (document.getElementById('toast')) start();
else document.addEventListener('DOMContentLoaded', start, { once: true });
registerWorker();  // later tabs from Cache Storage (sw.js), once this page has loaded
