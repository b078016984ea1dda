// Service worker of the static site: keeps Lockstep Lab working offline once loaded.
// On install it caches every built file listed in precache.json (written at build time by
// web/tooling/site-plugin.ts) in the cache of that build's version; when the version
// activates, the caches of other versions are deleted. Pages are fetched network-first (so a
// new deployment shows up) and fall back to the cache, whatever their query or hash; the
// build's files come from its cache; any other file of this origin (a scenario, a program
// it names) is fetched network-first and a copy kept in the runtime cache for offline use.
// Cache lookups ignore Vary: servers such as `vite preview` answer `Vary: Origin`, and the
// page's module and worker requests carry an Origin header the precached ones did not.
const PREFIX = 'lockstep-';
const RUNTIME = PREFIX + 'runtime';
const MATCH = { ignoreVary: true };

/** The version this worker installed (unset if the browser restarted the worker since). */
let version;

async function manifest() {
  return (await fetch('precache.json', { cache: 'no-store' })).json();
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const { version: installed, files } = await manifest();
    const cache = await caches.open(PREFIX + installed);
    await cache.addAll(['./', ...files]);
    version = installed;
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    version ??= (await manifest().catch(() => undefined))?.version;
    if (version !== undefined) {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== PREFIX + version && name !== RUNTIME) await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, fallback) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(RUNTIME)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await fallback();
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(async () =>
      (await caches.match(request, { ...MATCH, ignoreSearch: true })) ?? Response.error()));
    return;
  }
  event.respondWith((async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== RUNTIME);
    for (const name of names) {
      const cached = await (await caches.open(name)).match(request, MATCH);
      if (cached) return cached;
    }
    return networkFirst(request, () => caches.match(request, { ...MATCH, cacheName: RUNTIME }));
  })());
});
