// Each page's module, by the `page` names of route-table.js (the routes themselves; adding a
// page: a line there, and its module here). A module imported here is part of the console's
// bundle (one file, scripts/build-web.sh); a rarely opened page (the reports) is
// `() => import('./pages/x.js')` instead, a lazily loaded chunk, so no other page waits for its
// code. Each route gets `load()`, which gives its module.
import * as tasks from './pages/tasks.js';
import * as lists from './pages/lists.js';
import * as casePage from './pages/case.js';
import * as household from './pages/household.js';
import * as leads from './leads.js';
import { loadEcharts } from './chart-library.js';
import { routes } from './route-table.js';

const kPages = {
  tasks: () => tasks,
  lists: () => lists,
  case: () => casePage,
  household: () => household,
  leads: () => leads,
  reports: () => import('./pages/reports.js'),
};
for (const route of routes) {
  const load = kPages[route.page];
  // A page with charts asks for the chart library (221 KB gzipped) with its chunk, not after it.
  route.load = route.charts ? () => { loadEcharts(); return load(); } : load;
}

export { routes, kDefaultPath, currentPath, findRoute } from './route-table.js';
