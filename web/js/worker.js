// Registers the console's service worker (sw.js; docs/console.md, "Later pages in a new tab")
// once the page has loaded and drawn: later tabs then take the page and the app from the phone's
// Cache Storage. The built page names the worker (<meta name="dixian-worker">); served from the
// source tree it names none. Where service workers are unavailable (plain HTTP on a LAN address,
// some in-app browsers, private modes) nothing happens and the console loads from the network.
export function registerWorker() {
  const url = document.querySelector('meta[name="dixian-worker"]')?.content;
  if (!url || !('serviceWorker' in navigator)) return;
  // Then asks the server whether the worker (and so the release) changed: a 304 of sw.js most
  // times; a new release's worker installs in the background and serves the next tab.
  const register = () => {
    navigator.serviceWorker.register(url, { scope: './', updateViaCache: 'none' }).then((reg) => {
      if (reg.active && !reg.installing && !reg.waiting) return reg.update();
      return null;
    }).catch(() => {});
  };
  // After the page's own work: the install stores files the page has just loaded.
  const idle = () => (window.requestIdleCallback ? requestIdleCallback(register, { timeout: 3000 })
    : setTimeout(register, 500));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}
