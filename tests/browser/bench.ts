/**
 * Benchmark (not a test: `npx tsx tests/browser/bench.ts [topology...] [--runs N] [--viewport WxH] [--iterations N] [--time-travel on|off] [--twin] [--fault] [--fault-target REG] [--views N] [--new-program MS]`):
 * flat-out speed of the machine in the browser's worker against single-thread Node, in the
 * same session, and the page's frame rate while it runs.
 *
 * - Node: the library's Machine in this process runs examples/bench/int-mix.s to the end
 *   (a warm-up run, then N timed runs; the median), as `lockstep bench` does.
 * - Chromium: the production build's app page (index.html) loads the same program, runs it
 *   flat out with the Run button (the worker time-slices, the page pulls one view per
 *   animation frame and draws it), and records every frame: wall time, instret and the
 *   worker's own measured speed (MachineView.ips: instructions over its last second of time
 *   slices). Worker MIPS = the median of that after the first half second (steady state);
 *   Run→halt MIPS = instructions / wall time from the click to the halt seen by the page,
 *   which adds start and stop latency; Run is clicked on a page at rest (its reset drawn,
 *   its main thread idle), as a user would. "Drawn" counts to the end of the main thread's
 *   work on the frame that first shows the halt (its style, layout and paint; raster and
 *   compositing on other threads follow). Both after a warm-up run on the same worker.
 *   fps = animation frames per second during the run; views/s = frames that drew a new view.
 *   Each browser run is paired with the Node run before it: the ratios are medians of those
 *   pairs, and (best) the highest pair, the one least disturbed by other processes.
 * - Worker alone: the same worker called directly (`run(50M)` until it halts) with the page
 *   idle — the browser's engine without the page's drawing, to tell the two costs apart.
 *
 * int-mix.s runs 6 M iterations (120 M instructions): well under half a second at these
 * speeds, so worker MIPS falls back to Run→halt MIPS, start and stop latency included.
 * `--iterations N` runs N instead (the page loads that source as the editor would), long
 * enough for the steady state. `--time-travel off` runs without time travel's checkpoints
 * (the page's default keeps them), `--twin` with the fault-free twin shown (issue 15),
 * `--views N` with the page pulling N views a second while running fast instead of its default.
 * `--fault` schedules FAULT on the machine's last module before each run (the page's fault
 * bar does the same): a flip of a5, which int-mix never reads or writes, so every module stays
 * online, but from instruction 1,000 on the machine is no longer its own fault-free run — the
 * twin forks and runs beside it, and the run is judged. Node and the worker alone run the
 * same fault: the modules of a lockstep machine then differ for good, which keeps it on the
 * interpreter (the translator runs lockstep modules only while they hold the same state).
 * `--fault-target s2` flips the accumulator instead, which the next instruction reads: a
 * lockstep machine detects it and goes on without the module (dmr stops: it cannot tell
 * which module is right), back on the translator; on simplex the output is corrupted.
 * Each timed run follows a run of the same program and setup (the warm-up, or the last timed
 * run), as a student's next try does; `--new-program MS` loads a new program before each
 * (one more iteration) and leaves the page idle MS ms before Run, as a student's first try
 * of a program after choosing a fault.
 *
 * LOCKSTEP_BENCH_NO_BUILD=1 serves the build as it is; LOCKSTEP_BENCH_DIST serves another
 * build's directory (two builds compared in alternating invocations).
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { assemble } from '../../src/isa/index.ts';
import { Machine, NULL_CONSOLE } from '../../src/machine/machine.ts';
import { TOPOLOGIES, type Topology } from '../../src/machine/topology.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { launchChromium, serveStatic, whenReady, DIST, ROOT } from './helpers.ts';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const viewportAt = args.indexOf('--viewport');
const [WIDTH, HEIGHT] = (viewportAt >= 0 ? args[viewportAt + 1] : '1600x1000').split('x').map(Number);
const iterationsAt = args.indexOf('--iterations');
const ITERATIONS = iterationsAt >= 0 ? Number(args[iterationsAt + 1]) : undefined;
const travelAt = args.indexOf('--time-travel');
const TIME_TRAVEL = travelAt >= 0 ? args[travelAt + 1] !== 'off' : undefined;
const TWIN = args.includes('--twin');
const FAULT = args.includes('--fault');
const targetAt = args.indexOf('--fault-target');
const FAULT_TARGET = targetAt >= 0 ? args[targetAt + 1] : 'a5';
const newProgramAt = args.indexOf('--new-program');
/** Milliseconds the page is left idle after loading a new program before each timed run, when given. */
const NEW_PROGRAM_IDLE = newProgramAt >= 0 ? Number(args[newProgramAt + 1]) : undefined;
if (NEW_PROGRAM_IDLE !== undefined && !(NEW_PROGRAM_IDLE >= 0)) {
  console.error(`--new-program ${args[newProgramAt + 1] ?? ''}: give the idle time before each run in ms, e.g. --new-program 2000`);
  process.exit(2);
}
const viewsAt = args.indexOf('--views');
/** Views per second the page pulls while running fast (the controller's refreshHz), when given. */
const VIEWS = viewsAt >= 0 ? Number(args[viewsAt + 1]) : undefined;
if (VIEWS !== undefined && !(VIEWS > 0)) {
  console.error(`--views ${args[viewsAt + 1] ?? ''}: give the views a second as a positive number, e.g. --views 20`);
  process.exit(2);
}
/** The fault `--fault` schedules, on module `module` (see above). */
const FAULT_SPEC = (module: number) => `at=1000,module=${module},kind=flip,target=${FAULT_TARGET},bit=3`;
const MODULES: Record<Topology, number> = { simplex: 1, dmr: 2, 'pair-spare': 4, tmr: 3 };
const topologies = (args.filter((a, k) => !a.startsWith('--') && !['--runs', '--viewport', '--iterations', '--time-travel', '--fault-target', '--views', '--new-program'].includes(args[k - 1])) as Topology[]);
const chosen: Topology[] = topologies.length > 0 ? topologies : ['pair-spare', ...TOPOLOGIES.filter((t) => t !== 'pair-spare')];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ITERATIONS_LINE = /^(\s+li\s+s0,\s*)6000000(\s)/m;
const example = readFileSync(join(ROOT, 'examples/bench/int-mix.s'), 'utf8');
if (!ITERATIONS_LINE.test(example)) throw new Error('int-mix.s no longer sets s0 = 6000000 iterations: update the bench');
const source = ITERATIONS === undefined ? example : example.replace(ITERATIONS_LINE, `$1${ITERATIONS}$2`);
let program = assemble(source, { file: 'int-mix.s' }).program!;

async function nodeRun(topology: Topology): Promise<number> {
  const machine = await Machine.create({ topology, console: NULL_CONSOLE });
  machine.load(program);
  if (FAULT) machine.inject(parseFault(FAULT_SPEC(MODULES[topology] - 1)));
  const start = performance.now();
  while (!machine.halt) machine.run(2 ** 30);
  return machine.instret / (performance.now() - start) / 1000;
}

if (!process.env.LOCKSTEP_BENCH_NO_BUILD) execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
  cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' },
});
const server = await serveStatic(process.env.LOCKSTEP_BENCH_DIST ?? DIST);
const browser = await launchChromium();
const page = await browser.context.newPage();
await page.setViewportSize({ width: WIDTH, height: HEIGHT });
await page.goto(server.url + (process.env.LOCKSTEP_BENCH_QUERY ?? ''));
await whenReady(page);
await page.locator('#flat-out').click(); // the page starts slow enough to watch: the bench runs flat out
if (TIME_TRAVEL !== undefined) await page.evaluate(`document.querySelector('lockstep-machine').controller.setTimeTravel(${TIME_TRAVEL})`);
if (VIEWS !== undefined) await page.evaluate(`document.querySelector('lockstep-machine').controller.refreshHz = ${VIEWS}`);
if (TWIN) await page.evaluate(`document.querySelector('lockstep-machine').controller.setTwin(true)`);
const userAgent = await page.evaluate(() => navigator.userAgent);

/** The same program (and fault) in the same worker called directly (run(50M) until it halts), the page idle: the engine alone. */
async function workerAloneRun(topology: Topology): Promise<number> {
  return page.evaluate(`(async () => {
    const session = document.querySelector('lockstep-machine').controller.session;
    await session.reset();
    ${FAULT ? `await session.inject(${JSON.stringify(FAULT_SPEC(MODULES[topology] - 1))});` : ''}
    const start = performance.now();
    let total = 0;
    for (;;) {
      const r = await session.run(50000000);
      total += r.executed;
      if (r.halted) break;
    }
    return total / (performance.now() - start) / 1000;
  })()`);
}

/**
 * Waits until the page has drawn what it shows and its main thread is idle: a user clicks
 * Run on a page at rest, not within the frame that draws the reset or the scheduled fault
 * (its layout, paint and raster, some 30 ms of CPU time across Chromium's threads, would
 * otherwise be counted in a short run's time).
 */
const atRest = () => page.evaluate(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 1000 }))))`);

/** One flat-out run on the page; returns MIPS, fps and views/s. */
async function browserRun(topology: Topology): Promise<{ mips: number; wallMips: number; drawnMips: number; fps: number; views: number; instructions: number }> {
  await page.locator('#reset').click();
  await page.waitForFunction(() => (document.querySelector('lockstep-machine') as unknown as { controller: { state: { view?: { instret: number } } } }).controller.state.view?.instret === 0);
  if (FAULT) await page.evaluate(`document.querySelector('lockstep-machine').controller.inject(${JSON.stringify(FAULT_SPEC(MODULES[topology] - 1))})`);
  await atRest();
  // Passed as text: tsx would otherwise wrap the function's inner functions in a helper the page lacks.
  return page.evaluate(`new Promise((resolve) => {
    const element = document.querySelector('lockstep-machine');
    const frames = [];
    let start = 0;
    const frame = (t) => {
      const view = element.controller.state.view;
      frames.push({ t, instret: view ? view.instret : 0, ips: view && view.running ? view.ips : 0 });
      if (view && view.halt) {
        const wall = performance.now() - start;
        const during = frames.filter((f) => f.t >= start);
        const seconds = (during[during.length - 1].t - during[0].t) / 1000;
        const views = during.filter((f, k) => k > 0 && f.instret !== during[k - 1].instret).length;
        // The worker's own measure (instructions per second over its last second of slices),
        // sampled after the first half second: steady-state speed without start and stop latency.
        const ips = during.filter((f) => f.t - start > 500 && f.ips > 0).map((f) => f.ips).sort((a, b) => a - b);
        const steady = ips.length > 0 ? ips[Math.floor(ips.length / 2)] / 1e6 : view.instret / wall / 1000;
        // A message posted now is served once this frame's style, layout and paint are done: the halt drawn.
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          const drawn = performance.now() - start;
          channel.port1.close();
          resolve({ mips: steady, wallMips: view.instret / wall / 1000, drawnMips: view.instret / drawn / 1000, fps: (during.length - 1) / seconds, views: views / seconds, instructions: view.instret });
        };
        channel.port2.postMessage(null);
        return;
      }
      requestAnimationFrame(frame);
    };
    start = performance.now();
    element.shadowRoot.querySelector('ls-controls').shadowRoot.querySelector('#run').click();
    requestAnimationFrame(frame);
  })`);
}

console.log(`int-mix.s${ITERATIONS === undefined ? '' : ` with ${ITERATIONS} iterations`}${TIME_TRAVEL === undefined ? '' : `, time travel ${TIME_TRAVEL ? 'on' : 'off'}`}${TWIN ? ', twin on' : ''}${VIEWS === undefined ? '' : `, ${VIEWS} views/s`}${FAULT ? `, ${FAULT_SPEC(0).replace('module=0,', '')} on the last module` : ''}${NEW_PROGRAM_IDLE === undefined ? '' : `, a new program each run, ${NEW_PROGRAM_IDLE} ms idle before it`}, flat out; a warm-up run each, then ${RUNS} timed runs, Node and worker alternating; medians`);
console.log(`Node ${process.version}; ${userAgent.match(/Chrome\/[\d.]+/)?.[0]} (software rendering, ${WIDTH}×${HEIGHT}); load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('topology     node MIPS  worker MIPS  ratio  best   (Run→halt MIPS  ratio  best)  drawn ratio  page fps  views/s   worker alone  ratio');
for (const topology of chosen) {
  await page.locator('#topology').selectOption(topology);
  if (ITERATIONS === undefined) await page.locator('#example').selectOption('int-mix');
  else await page.evaluate(`document.querySelector('lockstep-machine').loadSource(${JSON.stringify(source)}, 'int-mix.s')`);
  await page.waitForFunction(() => document.querySelector('lockstep-machine')?.shadowRoot?.querySelector('header h1 small')?.textContent === 'int-mix.s');
  await nodeRun(topology);
  await browserRun(topology);
  const node: number[] = [];
  const runs = [];
  for (let k = 0; k < RUNS; k++) {
    if (NEW_PROGRAM_IDLE !== undefined) {
      const fresh = example.replace(ITERATIONS_LINE, `$1${(ITERATIONS ?? 6000000) + k + 1}$2`);
      program = assemble(fresh, { file: 'int-mix.s' }).program!;
      await page.evaluate(`document.querySelector('lockstep-machine').loadSource(${JSON.stringify(fresh)}, 'int-mix.s')`);
      await page.waitForTimeout(NEW_PROGRAM_IDLE);
      runs.push(await browserRun(topology));
      node.push(await nodeRun(topology));
    } else {
      node.push(await nodeRun(topology));
      runs.push(await browserRun(topology));
    }
  }
  const worker = median(runs.map((r) => r.mips));
  const ratios = runs.map((r, k) => r.mips / node[k]);
  const wallRatios = runs.map((r, k) => r.wallMips / node[k]);
  const drawnRatios = runs.map((r, k) => r.drawnMips / node[k]);
  const fps = median(runs.map((r) => r.fps));
  const views = median(runs.map((r) => r.views));
  const wall = median(runs.map((r) => r.wallMips));
  const alone: number[] = [];
  for (let k = 0; k < RUNS; k++) alone.push((await workerAloneRun(topology)) / node[k]);
  await page.locator('#reset').click();
  const best = (xs: number[]) => Math.max(...xs).toFixed(3);
  console.log(`${topology.padEnd(12)} ${median(node).toFixed(1).padStart(9)}  ${worker.toFixed(1).padStart(11)}  ${median(ratios).toFixed(3).padStart(5)}  ${best(ratios)}   ${wall.toFixed(1).padStart(13)}  ${median(wallRatios).toFixed(3).padStart(5)}  ${best(wallRatios)}   ${median(drawnRatios).toFixed(3).padStart(11)}  ${fps.toFixed(1).padStart(8)}  ${views.toFixed(1).padStart(7)}   ${(median(alone) * median(node)).toFixed(1).padStart(12)}  ${median(alone).toFixed(3)}`);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on this machine skew both sides)`);
await browser.close();
await server.close();
