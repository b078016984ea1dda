import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Paths resolve against this file, not the current directory (STACK.md: Vite and Vitest). */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('web'),
  base: './',
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
  test: {
    dir: here('tests'),
    include: ['**/*.test.ts'],
    globalSetup: [here('tests/setup/build.ts')],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
