// The console's pages as data, one line each (hash routes: #/tasks, #/cases/ID ...), without
// their code, so the page's first script (early.js) can read it; routes.js gives each its module.
//   { re: /^\/leads$/, nav: 'households', page: 'leads', render: 'renderLeads',
//     data: (me) => ['/api/v1/leads'] },
// `page` names the module in routes.js; `render` is the function it exports, called as
// render(view, ctx, ...captures); `data` (optional) lists the GET calls the page makes first,
// given the signed-in user (the session's `me`) and the route's captures: early.js starts them
// while the browser is still reading the page (boot.js if early.js did not run), and the page's
// own get() of the same path takes that answer (api.js). `nav` is the menu entry the page
// belongs to (index.html's data-route); `charts`: the page draws with ECharts (routes.js starts
// the library with the page's code).
const enc = encodeURIComponent;

export const routes = [
  { re: /^\/tasks$/, nav: 'tasks', page: 'tasks', render: 'renderTasks', data: (me) => ['/api/v1/tasks'] },
  { re: /^\/done$/, nav: 'tasks', page: 'lists', render: 'renderDone', data: (me) => ['/api/v1/me/done'] },
  { re: /^\/started$/, nav: 'tasks', page: 'lists', render: 'renderStarted',
    data: (me) => ['/api/v1/me/started'] },
  { re: /^\/copied$/, nav: 'tasks', page: 'lists', render: 'renderCopied', data: (me) => ['/api/v1/me/copied'] },
  { re: /^\/cases\/([^/]+)$/, nav: 'tasks', page: 'case', render: 'renderCase',
    data: (me, id) => [`/api/v1/cases/${enc(id)}`, `/api/v1/cases/${enc(id)}/history`] },
  { re: /^\/households\/([^/]+)$/, nav: 'households', page: 'household', render: 'renderHousehold',
    data: (me, id) => [`/api/v1/households/${enc(id)}`, `/api/v1/households/${enc(id)}/tasks`] },
  { re: /^\/households$/, nav: 'households', page: 'household', render: 'renderHouseholdSearch' },
  { re: /^\/overdue$/, nav: 'overdue', page: 'reports', render: 'renderOverdue',
    data: (me) => [`/api/v1/reports/overdue?org=${enc(me.org || '')}`] },
  { re: /^\/stats$/, nav: 'stats', page: 'reports', render: 'renderStats', charts: true,
    data: (me) => [`/api/v1/reports/monitoring?org=${enc(me.org || '')}`] },
  { re: /^\/leads$/, nav: 'leads', page: 'leads', render: 'renderLeads' },
  { re: /^\/reports\/weekly\?org=([^&]+)&week=([0-9-]+)$/, nav: 'stats', page: 'reports', render: 'renderWeekly' },
];

export const kDefaultPath = '/tasks';

// The path of the address's hash ('/tasks' when there is none).
export function currentPath() {
  return (location.hash || '').replace(/^#/, '') || kDefaultPath;
}

// {route, args} for a path, or null.
export function findRoute(path) {
  for (const route of routes) {
    const m = path.match(route.re);
    if (m) return { route, args: m.slice(1).map(decodeURIComponent) };
  }
  return null;
}
