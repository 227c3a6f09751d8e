// The console's service worker (docs/console.md, "Later pages in a new tab"): a later page opened
// in a new tab (a chat link to a case, the inbox) takes the page and the app from the phone's
// Cache Storage, with no round trip before the browser reads it, and Chromium keeps the compiled
// code of scripts stored at install (V8 code cache), so a new tab compiles less.
// One cache per release (`dixian-<release>`): the page and exactly the files it names, stored
// together at install and replaced together when a new release's worker activates, so an upgraded
// server never serves a mix of releases. The API is never answered or stored here: its calls go
// to the network (a static route where the browser has them, else the fetch handler lets them
// pass). An acceleration only: where no worker runs, the console loads from the network as before.
// scripts/build-web.sh writes the two constants below; served from the source tree (no build),
// the page registers no worker.
const kRelease = 'source';
const kFiles = [];  // the release's files, relative to this script; the page ('./') first

const kCachePrefix = 'dixian-';
const kCache = `${kCachePrefix}${kRelease}`;
const kScope = new URL('./', self.location.href).pathname;
const kAppPrefix = `${kScope}v/${kRelease}/`;

// A failed install (the server already on another release, a file missing) leaves no cache and
// the previous worker in place.
async function storeRelease() {
  // The page is revalidated (it must be this release's: it names the files below); the app's
  // files are immutable, so the HTTP cache's copies (the page has just loaded them) do.
  const page = await fetch(new Request(kFiles[0], { cache: 'no-cache' }));
  const html = page.ok ? await page.clone().text() : '';
  if (!html.includes(`v/${kRelease}/`)) throw new Error(`the server's page is not release ${kRelease}`);
  try {
    const cache = await caches.open(kCache);
    await cache.addAll(kFiles.slice(1));
    await cache.put(kFiles[0], page);
  } catch (err) {
    await caches.delete(kCache);
    throw err;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    if (event.addRoutes) {
      // Chromium 123+ (static routing): the page comes from this release's cache without starting
      // the worker (a miss goes to the network); the API's calls and the app's files do not start
      // it either: the files from the HTTP cache (immutable URLs), where Chromium keeps their
      // compiled code (a copy served from Cache Storage by a route is compiled again on every
      // load: traces in docs/console.md).
      const cache = { cacheName: kCache };
      // A browser that refuses these routes gets the fetch handler below instead.
      await Promise.resolve().then(() => event.addRoutes([
        { condition: { urlPattern: new URLPattern({ pathname: `${kScope}api/*` }) }, source: 'network' },
        { condition: { urlPattern: new URLPattern({ pathname: `${kScope}v/*` }) }, source: 'network' },
        { condition: { urlPattern: new URLPattern({ pathname: kScope }), requestMode: 'navigate' }, source: cache },
      ])).catch(() => {});
    }
    await storeRelease();
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(kCachePrefix) && name !== kCache) await caches.delete(name);
    }
  })());
});

// The page (the scope's root: every route is after its `#`) and this release's files from the
// cache; anything else (the API, other releases, the chart library, /healthz) is not handled.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isPage = request.mode === 'navigate' && url.pathname === kScope;
  if (!isPage && !url.pathname.startsWith(kAppPrefix)) return;
  event.respondWith((async () => {
    const cache = await caches.open(kCache);
    const hit = await cache.match(isPage ? kFiles[0] : request, { ignoreSearch: isPage });
    return hit || fetch(request);
  })());
});
