// Bundles the CLI into build/cli/lockstep.mjs (two folders below the repo root, like
// src/cli/main.ts, so relative URLs to build/ and examples/ resolve the same way).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'build/cli/lockstep.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
