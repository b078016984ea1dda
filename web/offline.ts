/** Registers the service worker (public/sw.js) that keeps the built site working offline. Production builds only. */
export function registerOffline(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' }).catch((error) => {
    console.warn('offline support unavailable:', error);
  });
}
