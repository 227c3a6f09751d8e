// The console's pages, one line each (hash routes: #/tasks, #/cases/ID ...). Adding a page:
//   { re: /^\/leads$/, nav: 'households', load: () => import('./pages/leads.js'), render: 'renderLeads',
//     data: (me) => ['/api/v1/leads'] },
// `load` imports the page's module when the page is opened, so no other page waits for its code;
// `render` is the function the module exports, called as render(view, ctx, ...captures);
// `data` (optional) lists the GET calls the page makes first, given the signed-in user (the
// session's `me`) and the route's captures: boot.js
// starts them before any page code has loaded, and the page's own get() of the same path takes
// that answer (api.js). `nav` is the menu entry the page belongs to (index.html's data-route).
export const routes = [
  { re: /^\/tasks$/, nav: 'tasks', load: () => import('./pages/tasks.js'), render: 'renderTasks',
    data: (me) => ['/api/v1/tasks'] },
  { re: /^\/done$/, nav: 'tasks', load: () => import('./pages/lists.js'), render: 'renderDone',
    data: (me) => ['/api/v1/me/done'] },
  { re: /^\/started$/, nav: 'tasks', load: () => import('./pages/lists.js'), render: 'renderStarted',
    data: (me) => ['/api/v1/me/started'] },
  { re: /^\/copied$/, nav: 'tasks', load: () => import('./pages/lists.js'), render: 'renderCopied',
    data: (me) => ['/api/v1/me/copied'] },
  { re: /^\/cases\/([^/]+)$/, nav: 'tasks', load: () => import('./pages/case.js'), render: 'renderCase',
    data: (me, id) => [`/api/v1/cases/${encodeURIComponent(id)}`, `/api/v1/cases/${encodeURIComponent(id)}/history`] },
  { re: /^\/households\/([^/]+)$/, nav: 'households', load: () => import('./pages/household.js'),
    render: 'renderHousehold',
    data: (me, id) => [`/api/v1/households/${encodeURIComponent(id)}`, `/api/v1/households/${encodeURIComponent(id)}/tasks`] },
  { re: /^\/households$/, nav: 'households', load: () => import('./pages/household.js'), render: 'renderHouseholdSearch' },
  { re: /^\/overdue$/, nav: 'overdue', load: () => import('./pages/overdue.js'), render: 'renderOverdue',
    data: (me) => [`/api/v1/reports/overdue?org=${encodeURIComponent(me.org || '')}`] },
  { re: /^\/stats$/, nav: 'stats', load: () => import('./pages/stats.js'), render: 'renderStats',
    data: (me) => [`/api/v1/reports/monitoring?org=${encodeURIComponent(me.org || '')}`] },
  { re: /^\/leads$/, nav: 'leads', load: () => import('./leads.js'), render: 'renderLeads' },
  { re: /^\/reports\/weekly\?org=([^&]+)&week=([0-9-]+)$/, nav: 'stats', load: () => import('./pages/weekly.js'),
    render: 'renderWeekly' },
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
