// Builds the WASM core (build/core.wasm and its bindings) with asc, only when its inputs
// changed: the inputs are every file under assembly/, asconfig.json and the compiler's
// version, hashed (SHA-256) into build/core.inputs. A build whose hash matches and whose
// outputs exist is skipped; a failed build removes the hash, so the next run builds again.
//
//   node scripts/build-wasm.mjs           the release core, if out of date
//   node scripts/build-wasm.mjs --force   the release core, always
//   node scripts/build-wasm.mjs --debug   the debug core with its text form (core.debug.wat)
//   node scripts/build-wasm.mjs --check   exit 0 if the release core is up to date, else 1; builds nothing
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const target = args.has('--debug') ? 'debug' : 'release';
const outputs = target === 'release'
  ? ['build/core.wasm', 'build/core.js', 'build/core.d.ts']
  : ['build/core.debug.wasm', 'build/core.debug.js', 'build/core.debug.wat'];
const stamp = join(root, target === 'release' ? 'build/core.inputs' : 'build/core.debug.inputs');

/** SHA-256 over the inputs' paths and contents, in a fixed order, and the compiler version. */
function inputsHash() {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'assembly'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
  for (const file of [...files, 'asconfig.json']) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  const require = createRequire(import.meta.url);
  hash.update(`assemblyscript@${require('assemblyscript/package.json').version}`);
  hash.update(`target=${target}`);
  return hash.digest('hex');
}

const hash = inputsHash();
const upToDate = !args.has('--force')
  && outputs.every((file) => existsSync(join(root, file)))
  && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash;
if (upToDate) {
  console.log(`build:wasm: ${outputs[0]} is up to date`);
  process.exit(0);
}
if (args.has('--check')) {
  console.log(`build:wasm: ${outputs[0]} is out of date`);
  process.exit(1);
}

mkdirSync(join(root, 'build'), { recursive: true });
rmSync(stamp, { force: true });
const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
const result = spawnSync(process.execPath, [asc, '--config', 'asconfig.json', '--target', target], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`build:wasm: asc failed (${result.status ?? result.signal}); ${outputs[0]} was not updated`);
  process.exit(1);
}
writeFileSync(stamp, `${hash}\n`);
console.log(`build:wasm: built ${outputs[0]}`);
