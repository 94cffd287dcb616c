// Remix options, shared by `vite.config.ts` (the Remix Vite plugin reads them from here).
/** @type {import('@remix-run/dev').VitePluginConfig} */
export default {
  appDirectory: 'app',
  // The browser tests build into a folder of their own.
  buildDirectory: process.env.KABINET_BUILD_DIR || 'build',
  serverModuleFormat: 'esm',
  // Tests sit next to the routes they test; they are not routes.
  ignoredRouteFiles: ['**/*.test.*'],
  // Lazy route discovery (v3_lazyRouteDiscovery) is off: with our few dozen routes the whole route
  // list costs about 1.5 KB on a page, and finding a page's parents cost every server render two
  // more route matchings (decision 027); navigations then need no /__manifest requests either.
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_singleFetch: true,
  },
};
