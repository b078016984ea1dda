import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sitePlugin } from './web/tooling/site-plugin.ts';

/** Paths resolve against this file, not the current directory (STACK.md: Vite and Vitest). */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('web'),
  base: './',
  plugins: [sitePlugin()],
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      // The app, and the compact panel course pages embed.
      input: { main: here('web/index.html'), embed: here('web/embed.html') },
    },
  },
  worker: { format: 'es' },
  test: {
    dir: here('tests'),
    include: ['**/*.test.ts'],
    globalSetup: [here('tests/setup/build.ts'), here('tests/browser/setup.ts')],
    // Vitest's default, one file less than the cores, runs one at a time on two: the files wait
    // on Chromium and child processes for much of their time, and two at once took the suite
    // from 862 s to 751 s on a two-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
