// The page's entry (index.html). It starts what the first page needs before the rest of the
// console's code has arrived: the page's API calls (routes.js `data`) and the page's module, then
// loads the shell (app.js). On a phone this overlaps the data's round trip with loading and
// compiling the scripts instead of following them.
import { sessionToken, sessionMe } from './session.js';
import { prefetch } from './api.js';
import { currentPath, findRoute } from './routes.js';

performance.mark('dixian:boot');  // when the console's first line runs (bench/console_phone.mjs)

function startFirstPage() {
  // Opened with a chat platform's sign-in code: the session comes first (app.js).
  if (/[?&](code|authCode|auth_code|channel|state)=/.test(location.search)) return;
  const me = sessionToken() ? sessionMe() : null;
  if (!me) return;
  const found = findRoute(currentPath());
  if (!found) return;
  if (found.route.data) for (const path of found.route.data(me, ...found.args)) prefetch(path);
  found.route.load().catch(() => {});  // app.js loads it again and shows a failure in words
}

startFirstPage();
import('./app.js');
