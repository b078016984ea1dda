// Bundles the Node entry points: the CLI into build/cli/lockstep.mjs, the machine worker
// into build/worker/node.mjs, the fault-free runs' worker it starts into
// build/worker/fault-free.mjs and the campaign worker into build/worker/campaign.mjs. All sit
// two folders below the repo root, like their sources in src/, so relative URLs to build/
// and examples/ resolve the same way.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'build/cli/lockstep.mjs' }),
  build({ ...common, entryPoints: ['src/worker/node.ts'], outfile: 'build/worker/node.mjs' }),
  build({ ...common, entryPoints: ['src/worker/fault-free-node.ts'], outfile: 'build/worker/fault-free.mjs' }),
  build({ ...common, entryPoints: ['src/campaign/worker-node.ts'], outfile: 'build/worker/campaign.mjs' }),
]);
