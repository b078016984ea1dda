/**
 * `lockstep demo`: DESIGN §1's claims in one minute, headless. The same program meets the
 * same fault on each topology: simplex corrupts its output silently, duplex notices and
 * stops, pair-and-spare and TMR isolate the faulty module and carry on; then the faulty
 * board is replaced and resynced while the program runs; then the same fault hits every
 * module at once (common mode), and no topology notices (claim 4).
 */
import { readFileSync } from 'node:fs';
import { assemble } from '../isa/index.ts';
import type { Program } from '../isa/program.ts';
import { Machine } from '../machine/machine.ts';
import { type MachineEvent, divergenceValues } from '../machine/events.ts';
import { TOPOLOGIES, type Topology } from '../machine/topology.ts';
import { classify } from '../fault/classify.ts';
import { parseFault } from '../fault/spec.ts';
import { out } from './io.ts';
import { compare } from '../system/compare.ts';
import { cardAuth, variantOf } from '../transactions/workloads/index.ts';
import { count } from './format.ts';
import { workloadProgram } from './workload-program.ts';
import { formatCompare } from './compare.ts';

const COMPARE_RATE = 2000;
const COMPARE_DURATION_US = 1_000_000;

const PROGRAM = 'examples/ledger.s';
/** Between two transactions: s2 (the balance) is read again by the next one. */
const FAULT_AT = 300;
const DESCRIPTION: Record<Topology, string> = {
  simplex: '1 module',
  dmr: '2 modules in lockstep',
  'pair-spare': '2 boards × 2 CPUs',
  tmr: '3 modules, voted',
};

interface Outcome {
  lines: string[];
  machine: Machine;
}

async function runOn(program: Program, topology: Topology, faults: string[], replaceAt?: number): Promise<Outcome> {
  const lines: string[] = [];
  let pending = '';
  const machine = await Machine.create({
    topology,
    resync: 'stop-copy',
    console: {
      write: (_fd, bytes) => {
        pending += new TextDecoder().decode(bytes);
        const parts = pending.split('\n');
        pending = parts.pop()!;
        lines.push(...parts);
      },
      read: () => null,
    },
  });
  machine.load(program);
  for (const f of faults) machine.inject(parseFault(f));
  if (replaceAt !== undefined) machine.replace(replaceAt, { board: 0 });
  while (!machine.halt) machine.run(1_000_000);
  return { lines, machine };
}

/** What happened, in one or two lines. */
function verdict(topology: Topology, run: Outcome, reference: Outcome): string[] {
  const events = run.machine.events;
  const diverge = events.find((e): e is Extract<MachineEvent, { kind: 'diverge' }> => e.kind === 'diverge');
  const wrong = run.lines.filter((line, k) => line !== reference.lines[k]).length;
  const outcome = classify(
    { halt: reference.machine.halt, output: new TextEncoder().encode(reference.lines.join('\n')), events: reference.machine.events },
    { halt: run.machine.halt, output: new TextEncoder().encode(run.lines.join('\n')), events },
  );
  const values = diverge && divergenceValues(diverge);
  const where = diverge && values ? `diverged at instruction ${count(diverge.instret)}: module ${diverge.module} wrote ${diverge.field} = ${values.module}, module ${diverge.reference} wrote ${values.reference}` : '';
  switch (outcome) {
    case 'sdc': return [`silent data corruption: ${wrong} of ${reference.lines.length} balances printed wrong, and nothing noticed`];
    case 'failstop': return [where, `it cannot tell which module is right, so it stops (fail-stop): ${run.lines.length} balances printed, none wrong, service down`];
    case 'recovered': {
      const offline = events.filter((e) => e.kind === 'offline').map((e) => (e as { module: number }).module);
      const who = topology === 'pair-spare' ? `board ${offline[0] >> 1} (modules ${offline.join(', ')}) goes offline` : `module ${offline.join(', ')} is outvoted and goes offline`;
      return [where, `${who}; the rest carry on without a pause: all ${run.lines.length} balances right`];
    }
    default: return [outcome];
  }
}

export async function demoCommand(): Promise<number> {
  const source = readFileSync(new URL(`../../${PROGRAM}`, import.meta.url), 'utf8');
  const program = assemble(source, { file: PROGRAM }).program!;
  const say = (text = '') => out(text + '\n');

  say('Lockstep Lab — one program, one fault, four machines');
  say();
  say(`The program: ${PROGRAM} applies 16 transactions to a bank balance and prints it.`);
  say(`The fault:   just before instruction ${FAULT_AT}, bit 12 of the balance (register s2) flips`);
  say('             in one module — a cosmic ray. Every machine gets the same fault.');
  say();
  const reference = await runOn(program, 'simplex', []);
  for (const topology of TOPOLOGIES) {
    const module = topology === 'simplex' ? 0 : 1;
    const run = await runOn(program, topology, [`at=${FAULT_AT},module=${module},kind=flip,target=s2,bit=12`]);
    say(`${topology} (${DESCRIPTION[topology]})`);
    for (const text of verdict(topology, run, reference)) say(`  → ${text}`);
  }
  say();
  const repaired = await runOn(program, 'pair-spare', [`at=${FAULT_AT},module=1,kind=flip,target=s2,bit=12`], 600);
  const done = repaired.machine.events.find((e) => e.kind === 'resync-done') as Extract<MachineEvent, { kind: 'resync-done' }> | undefined;
  if (done) {
    say(`Repair: on pair-spare, board 0 is replaced at instruction ${count(done.instret)} and brought back into lockstep by`);
    say(`        stop-and-copy (${count(done.bytes)} bytes, a pause of ${count(done.pause_instructions)} cycles = ${done.pause_us} µs);`);
    say(`        the program finished with all four CPUs online: ${repaired.machine.moduleStatus().every((m) => m.state === 'online')}.`);
  }
  say();
  say('Common mode: the same flip in every module at once (module=all), as a design flaw would,');
  say('             or a bug in the program, which every replica runs alike.');
  for (const topology of TOPOLOGIES) {
    const run = await runOn(program, topology, [`at=${FAULT_AT},module=all,kind=flip,target=s2,bit=12`]);
    say(`${`${topology}`.padEnd(11)}→ ${verdict(topology, run, reference).join('; ')}`);
  }
  say('Redundancy catches only what makes the replicas differ: a fault they all share, or a');
  say('software bug, gives every replica the same wrong answer, and no comparator or vote can see it.');
  say();
  say('Try it yourself: lockstep run examples/ledger.s --topology tmr --inject at=300,module=1,kind=flip,target=s2,bit=12 --classify');
  say();
  await compareDemo(say);
  return 0;
}

/** The comparison the product exists for: the same transactions and faults on failover systems and lockstep machines. */
async function compareDemo(say: (text?: string) => void): Promise<void> {
  const workload = cardAuth;
  const runs = await compare({
    workload, pairAware: variantOf(workload, 'pair-aware')!, programOf: workloadProgram,
    feed: { durationUs: COMPARE_DURATION_US, rate: COMPARE_RATE },
    faults: [{ kind: 'hard', atUs: COMPARE_DURATION_US / 2 }, { kind: 'transient', atUs: COMPARE_DURATION_US / 2 }],
  });
  say(`Transactions: card authorisations arrive at ${count(COMPARE_RATE)}/s for ${COMPARE_DURATION_US / 1e6} s on every topology. Halfway, the`);
  say('same hard fault (module 0, the primary, dies) and, in a second run, the same transient fault');
  say('(one bit of the balance the next transaction reads flips) hit each of them:');
  say();
  for (const line of formatCompare(runs.map((r) => r.row), '').trimStart().split('\n')) if (line) say(`  ${line}`);
  say();
  say('The cluster notices the dead primary only when its heartbeats stop, and restarts from its last');
  say('checkpoint: the work in flight is lost or answered wrongly, unless the application is rewritten');
  say('(cluster-aware, pair-aware). A lockstep machine runs the application unchanged and loses nothing.');
  say('Try it yourself: lockstep compare --workload card-auth --rate 2000 --json');
}
