// Apache ECharts, served by our own server (never a CDN): the page's <meta name="dixian-echarts">
// names it (scripts/build-web.sh sets the versioned copy it ships). Resolves to the library, or
// null when it is missing (the pages keep their tables). In the app's bundle, not the reports'
// chunk: routes.js starts it together with that chunk for 监测统计 (one round trip, not two).
let loading = null;

export function loadEcharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    const meta = document.querySelector('meta[name="dixian-echarts"]');
    const src = meta ? meta.getAttribute('content') : '';
    if (!src) return Promise.resolve(null);
    loading = new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve(window.echarts || null);
      script.onerror = () => resolve(null);
      document.head.append(script);
    });
  }
  return loading;
}
