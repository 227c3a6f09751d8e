// Registers the console's service worker (sw.js; docs/console.md, "Later pages in a new tab")
// once the page has loaded and drawn: later tabs then take the page and the app from the phone's
// Cache Storage. The built page names the worker (<meta name="dixian-worker">); served from the
// source tree it names none. Where service workers are unavailable (plain HTTP on a LAN address,
// some in-app browsers, private modes) nothing happens and the console loads from the network.
export function registerWorker() {
  const url = document.querySelector('meta[name="dixian-worker"]')?.content;
  if (!url || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register(url, { scope: './', updateViaCache: 'none' }).catch(() => {});
  };
  // After the page's own work: the install stores files the page has just loaded.
  const idle = () => (window.requestIdleCallback ? requestIdleCallback(register, { timeout: 3000 })
    : setTimeout(register, 500));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}
