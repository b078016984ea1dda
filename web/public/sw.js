// Service worker of the static site: keeps Lockstep Lab working offline once loaded.
// On install it caches every built file listed in precache.json (written at build time by
// web/tooling/site-plugin.ts). Pages are fetched network-first (so a new deployment shows
// up) and fall back to the cache, whatever their query or hash; everything else comes from
// the cache first. Old versions' caches are deleted when a new version activates.
const PREFIX = 'lockstep-';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const manifest = await (await fetch('precache.json', { cache: 'no-store' })).json();
    const cache = await caches.open(PREFIX + manifest.version);
    await cache.addAll(['./', ...manifest.files]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const manifest = await (await caches.match('precache.json'))?.json();
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && manifest && name !== PREFIX + manifest.version) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(async () =>
      (await caches.match(request, { ignoreSearch: true })) ?? Response.error()));
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request);
    if (cached) return cached;
    return fetch(request);
  })());
});
