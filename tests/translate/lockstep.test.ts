/**
 * The translator tier on lockstep topologies: dmr, pair-spare and tmr against
 * the interpreter with the differential harness (differential.ts) — every conformance
 * vector, the examples, seeded random streams with and without faults (flips in registers,
 * RAM, the pc and CSRs, kills, stuck bits, ECC errors, replacement and resync, every compare
 * point) — and, on a hot loop whose values have a closed form, faults applied inside
 * translated code: detected at the instruction the formula gives, on both engines, and the
 * machine back on translated code once the faulty module is offline, resynced, or its fault
 * overwritten.
 */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/machine/topology.ts';
import { Machine, type ComparePoint } from '../../src/machine/machine.ts';
import { Random } from '../../src/fault/random.ts';
import { assembleOrThrow, machineFor, runProgram } from '../helpers/machine.ts';
import { randomProgram } from './streams.ts';
import { conformanceVectors, differential, example, EXAMPLES } from './differential.ts';
import { hotLoop, hotLoopLength, SETUP } from './hot-loop.ts';

const LOCKSTEP: Topology[] = ['dmr', 'pair-spare', 'tmr'];

describe('lockstep, translated against interpreted', () => {
  it.each(LOCKSTEP)('every conformance vector on %s: the same state at every chunk, QEMU\'s output and exit code', async (topology) => {
    const vectors = conformanceVectors();
    let translated = 0;
    for (const [k, { vector, program }] of vectors.entries()) {
      const { translate } = await differential(program, { topology, seed: k, maxChunk: 700, limit: 1_000_000 });
      expect(Buffer.from(translate.output).toString('hex'), vector.name).toBe(vector.expected_stdout_hex);
      expect(translate.machine.halt?.exitCode, vector.name).toBe(vector.expected_exit_code);
      if (translate.translation!.instructions > 0) translated++;
    }
    expect(translated).toBeGreaterThan(vectors.length / 2); // most vectors run long enough in one page to be translated
  }, 600_000);

  it.each(LOCKSTEP.flatMap((topology) => EXAMPLES.map((file) => [topology, file])))('%s: examples/%s', async (topology, file) => {
    await differential(example(file), { topology: topology as Topology, seed: file.length, limit: 1_000_000 });
  }, 120_000);

  it.each(Array.from({ length: 12 }, (_, k) => k + 1))('random stream %d, fault-free, with timer interrupts', async (seed) => {
    const { translate } = await differential(randomProgram(seed, { timer: 30 + seed * 13 }), { topology: LOCKSTEP[seed % 3], seed, maxChunk: 4000 });
    expect(translate.machine.halt?.reason).toBe('exit');
    expect(translate.translation!.instructions).toBeGreaterThan(0);
  }, 120_000);

  it.each(Array.from({ length: 36 }, (_, k) => 200 + k))('random stream %d with a random fault plan', async (seed) => {
    const rng = new Random(seed);
    const source = randomProgram(seed, { iterations: 400, timer: rng.below(2) ? 40 + rng.below(200) : undefined });
    const program = assembleOrThrow(source);
    const topology = LOCKSTEP[seed % 3];
    const compare: ComparePoint = (['every', 'every', 'store', 'io'] as const)[rng.below(4)];
    const ecc = rng.below(3) === 0 ? 'secded' : 'none';
    const length = (await runProgram(program, { topology, engine: 'interp' })).machine.instret;
    const faults = Array.from({ length: 1 + rng.below(3) }, () => randomFault(rng, topology, program.symbols, length));
    const repairAfter = topology === 'dmr' ? undefined : 500 + rng.below(5000);
    const { translate } = await differential(program, { topology, compare, ecc, faults, repairAfter, seed, maxChunk: 6000, limit: 3 * length });
    expect(translate.machine.events.some((e) => e.kind === 'inject')).toBe(true);
    expect(translate.translation!.instructions).toBeGreaterThan(0);
  }, 120_000);
});

/** Registers a flip or stuck bit may hit (x1..x31). */
const REGISTERS = Array.from({ length: 31 }, (_, k) => `x${k + 1}`);

/**
 * A fault of the kinds the machine takes, at an instruction in the last nine tenths of a
 * run of `length` instructions (the program's pages are hot and translated by then), on a
 * module of `topology`: a flip of a register, the pc, mepc or mscratch, the next result, a
 * word of the data buffer (with ECC secded, an error the code corrects) or of the code; a
 * stuck bit; a kill; an uncorrectable ECC error in RAM.
 */
function randomFault(rng: Random, topology: Topology, symbols: ReadonlyMap<string, number>, length: number): string {
  const modules = topology === 'dmr' ? 2 : topology === 'tmr' ? 3 : 4;
  const at = Math.floor(length / 10) + rng.below(Math.floor((9 * length) / 10));
  const module = rng.below(modules);
  const bit = rng.below(32);
  const word = (label: string, span: number) => `mem:0x${((symbols.get(label)! + 4 * rng.below(span)) >>> 0).toString(16)}`;
  const head = `at=${at},module=${module}`;
  switch (rng.below(9)) {
    case 0: return `${head},kind=flip,target=pc,bit=${2 + rng.below(8)}`;
    case 1: return `${head},kind=flip,target=${word('buffer', 64)},bit=${bit}`;
    case 2: return `${head},kind=flip,target=${word('outer', 32)},bit=${bit}`;
    case 3: return `${head},kind=${rng.below(2) ? 'stuck0' : 'stuck1'},target=${REGISTERS[rng.below(31)]},bit=${bit}`;
    case 4: return `${head},kind=kill`;
    case 5: return `${head},kind=ecc,target=${word('buffer', 64)},bit=${bit}`;
    case 6: return `${head},kind=flip,target=${rng.below(2) ? 'mepc' : 'mscratch'},bit=${bit}`;
    case 7: return `${head},kind=flip,target=result,bit=${bit}`;
    default: return `${head},kind=flip,target=${REGISTERS[rng.below(31)]},bit=${bit}`;
  }
}

const TURNS = 200_000;
const HOT_LOOP = hotLoop(TURNS);
/** Instructions of the whole run: setup, the loop, li a7 and the ecall. */
const TOTAL = hotLoopLength(TURNS);
/** The first instruction at or after n that writes a0 (an addi a0 at SETUP + 3t): where a flip of a0 before n first shows. */
const nextA0Write = (n: number) => SETUP + 3 * Math.ceil((n - SETUP) / 3);
/**
 * A bound on the instructions a machine interprets in a fault-free stretch of HOT_LOOP:
 * 256 while the page heats (HOT_PAGE_HEAT), the exit call, and at the end of each batch the
 * last one or two when a whole turn (a block of 3) does not fit: a new machine makes 64
 * short batches first (Machine.run), and each run() call of the tests ends one.
 */
const WARM_UP = 256 + 2 + 2 * (64 + 60);

describe('faults inside translated lockstep code', () => {
  it.each([
    ['dmr', 1, 60_001], ['dmr', 0, 123_458], ['tmr', 1, 300_000], ['tmr', 2, 455_555], ['pair-spare', 3, 200_002], ['pair-spare', 0, 77_777],
  ] as const)('%s: a flip of a0 in module %d at instruction %d is detected at the next write of a0, on both engines', async (topology, module, at) => {
    const { translate } = await differential(HOT_LOOP, { topology, faults: [`at=${at},module=${module},kind=flip,target=a0,bit=4`], seed: at, maxChunk: 150_000 });
    const detected = nextA0Write(at);
    const { machine, translation } = translate;
    const diverge = machine.events.find((e) => e.kind === 'diverge');
    expect(diverge?.instret).toBe(detected);
    if (topology === 'dmr') {
      expect(machine.halt?.reason).toBe('failstop');
      expect(machine.instret).toBe(detected + 1);
      expect(translation!.instructions).toBeGreaterThanOrEqual(at - WARM_UP);
      return;
    }
    // tmr outvotes the module; pair-spare takes its board offline. The rest run on, translated.
    const offline = machine.events.filter((e) => e.kind === 'offline').map((e) => e.module).sort();
    expect(offline).toEqual(topology === 'tmr' ? [module] : [2 * (module >> 1), 2 * (module >> 1) + 1]);
    expect(machine.halt?.reason).toBe('exit');
    expect(machine.instret).toBe(TOTAL);
    const survivor = topology === 'tmr' ? (module + 1) % 3 : 2 * (1 - (module >> 1));
    expect(machine.reg(survivor, 10)).toBe(3 * TURNS);
    expect(translation!.instructions).toBeGreaterThanOrEqual(TOTAL - (detected - at) - WARM_UP);
  }, 60_000);

  it.each(['every', 'io'] as const)('tmr, compare %s: a flip of the result of an addi a0 (a fault of one instruction) is outvoted where it shows', async (compare) => {
    const at = SETUP + 3 * 70_000; // an addi a0
    const { translate } = await differential(HOT_LOOP, { topology: 'tmr', compare, faults: [`at=${at},module=1,kind=flip,target=result,bit=2`], seed: 3, maxChunk: 100_000 });
    const { machine, translation } = translate;
    const diverge = machine.events.find((e) => e.kind === 'diverge');
    expect(machine.reg(0, 10)).toBe(3 * TURNS);
    if (compare === 'every') {
      expect(diverge).toMatchObject({ instret: at, module: 1, field: 'x10' });
      expect(translation!.instructions).toBeGreaterThanOrEqual(TOTAL - 1 - WARM_UP);
    } else {
      // Comparing at I/O only, the modules run apart until the exit call (the last
      // instruction) passes a0; the replay from before the fault finds where they parted.
      expect(diverge).toMatchObject({ instret: TOTAL - 1, module: 1, first_differed: at });
      expect(translation!.instructions).toBeGreaterThanOrEqual(at - WARM_UP);
      expect(translation!.instructions).toBeLessThan(at);
    }
  });

  it('tmr: a killed module goes offline at its instruction and the others run on translated', async () => {
    const at = 250_000;
    const { translate } = await differential(HOT_LOOP, { topology: 'tmr', faults: [`at=${at},module=0,kind=kill`], seed: 4, maxChunk: 100_000 });
    expect(translate.machine.events.filter((e) => e.kind === 'offline')).toEqual([{ instret: at, kind: 'offline', module: 0, reason: 'dead' }]);
    expect(translate.machine.reg(1, 10)).toBe(3 * TURNS);
    expect(translate.translation!.instructions).toBeGreaterThanOrEqual(TOTAL - WARM_UP);
  });

  it('tmr: a module outvoted, replaced and resynced runs translated again once it is back in step', async () => {
    const at = 100_000;
    const { translate } = await differential(HOT_LOOP, {
      topology: 'tmr', faults: [`at=${at},module=2,kind=flip,target=a0,bit=7`], repairAfter: 20_000, seed: 8, maxChunk: 90_000,
    });
    const { machine, translation } = translate;
    const done = machine.events.find((e) => e.kind === 'resync-done');
    expect(done?.module).toBe(2);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'online']);
    expect([0, 1, 2].map((m) => machine.reg(m, 10))).toEqual([3 * TURNS, 3 * TURNS, 3 * TURNS]);
    // Only the stretch from the fault to its detection ran on the interpreter: the resync
    // made module 2 a copy, which the machine checks before it runs the three translated.
    expect(translation!.instructions).toBeGreaterThanOrEqual(TOTAL - (nextA0Write(at) - at) - WARM_UP);
  });

  // A loop whose t2 is written before every read (li t2, 3 at SETUP + 4t): a flip of t2 just
  // before that write is overwritten at once (masked), and the modules are equal again.
  const OVERWRITTEN = `
  .globl _start
_start:
  li a0, 0
  li t0, 0
  li t1, 600000
loop:
  li t2, 3
  add a0, a0, t2
  addi t0, t0, 1
  blt t0, t1, loop
  li a7, 93
  ecall
`;
  const OVERWRITTEN_TOTAL = SETUP + 4 * 600_000 + 2;

  it('dmr: a flip overwritten before it is read leaves the modules equal: no divergence, and translated code again from the next state check', async () => {
    const at = SETUP + 4 * 50_000; // the li t2 of turn 50,000
    const { translate } = await differential(OVERWRITTEN, { topology: 'dmr', faults: [`at=${at},module=1,kind=flip,target=t2,bit=9`], seed: 6, maxChunk: 300_000, limit: 3_000_000 });
    const { machine, translation } = translate;
    expect(machine.events.map((e) => e.kind)).toEqual(['inject', 'halt']);
    expect(machine.reg(1, 10)).toBe(3 * 600_000);
    // The states are compared when the fault is applied (they differ), then every 2^20
    // instructions (a 1 MiB RAM) while they are of two lineages: the second check finds them equal.
    expect(translation!.instructions).toBeGreaterThanOrEqual(OVERWRITTEN_TOTAL - 2 ** 20 - WARM_UP);
    expect(translation!.instructions).toBeLessThanOrEqual(OVERWRITTEN_TOTAL - 2 ** 20);
  });

  it('dmr: a flip in a register nothing reads keeps the modules apart: the rest of the run is interpreted', async () => {
    const at = 150_001;
    const { machine } = await machineFor(HOT_LOOP, { topology: 'dmr', engine: 'translate', faults: [`at=${at},module=1,kind=flip,target=s9,bit=0`] });
    machine.run(at);
    const before = machine.core.translation!.instructions;
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.map((e) => e.kind)).toEqual(['inject', 'halt']);
    expect(machine.reg(1, 25)).toBe(1);
    expect(machine.core.translation!.instructions).toBe(before);
  });

  it('dmr: a register set on one module by the host is a difference found at the instruction that shows it', async () => {
    const at = 90_000;
    const runs = await Promise.all((['interp', 'translate'] as const).map(async (engine) => {
      const { machine } = await machineFor(HOT_LOOP, { topology: 'dmr', engine });
      machine.run(at);
      machine.setReg(0, 5, machine.reg(0, 5) + 10); // t0 of module 0: the loop's counter
      while (!machine.halt) machine.run(1_000_000);
      return machine;
    }));
    // Instruction 90,000 is a blt on t0 (4 + 3 × 29,998 + 2): its next pc does not differ
    // (both counters are far below the bound), so the first record that differs is the
    // addi t0 of the next turn, at 90,002.
    for (const machine of runs) {
      expect(machine.events.find((e) => e.kind === 'diverge')?.instret).toBe(90_002);
      expect(machine.halt?.reason).toBe('failstop');
    }
    expect(runs[1].events).toEqual(runs[0].events);
  });

  it('a module changed behind the machine\'s back (not through it) is caught at the end of the translated block, never run on unnoticed', async () => {
    const { machine } = await machineFor(HOT_LOOP, { topology: 'dmr', engine: 'translate' });
    machine.run(100_000);
    const L = machine.core.layout;
    const a0 = machine.core.hart(1) + L.H_X + 4 * 10;
    machine.core.setU32(a0, machine.core.u32(a0) ^ 1);
    expect(() => machine.run(100_000)).toThrow(/ran the online modules apart/);
  });
});

describe('a restored machine', () => {
  /** HOT_LOOP's data: a word no instruction reads (beyond the code), for latent faults. */
  const UNREAD = 0x8000_1000;

  /** Restores `snapshot` into a new translate machine, runs it to the end; returns it. */
  async function finish(snapshot: ArrayBuffer) {
    const machine = await Machine.fromSnapshot(snapshot, undefined, 'translate');
    while (!machine.halt) machine.run(1_000_000);
    return machine;
  }

  it('translates at once when its modules hold the same state, and not while one holds a latent fault', async () => {
    const at = 200_000;
    const { machine } = await machineFor(HOT_LOOP, { topology: 'tmr', engine: 'translate', faults: [`at=${at},module=1,kind=flip,target=mem:0x${UNREAD.toString(16)},bit=3`] });
    machine.run(at - 1);
    const { machine: clean } = await machineFor(HOT_LOOP, { topology: 'tmr', engine: 'translate' });
    clean.run(at - 1);
    const restored = await finish(clean.snapshot());
    expect(restored.core.translation!.instructions).toBeGreaterThanOrEqual(TOTAL - at - WARM_UP);
    machine.run(2);
    const latent = await finish(machine.snapshot()); // module 1's RAM differs from the others' (in a word never read) to the end
    expect(latent.events.map((e) => e.kind)).toEqual(['inject', 'halt']);
    expect(latent.core.translation!.instructions).toBe(0);
  });

  it('with module 0 offline and its RAM unlike the others\', compares the online modules\' RAM and translates', async () => {
    const { machine } = await machineFor(HOT_LOOP, {
      topology: 'tmr', engine: 'translate',
      faults: [`at=100000,module=0,kind=flip,target=mem:0x${UNREAD.toString(16)},bit=3`, 'at=100001,module=0,kind=kill'],
    });
    machine.run(150_000);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['offline', 'online', 'online']);
    const restored = await finish(machine.snapshot());
    expect(restored.core.translation!.instructions).toBeGreaterThanOrEqual(TOTAL - 150_000 - WARM_UP);
    expect(restored.reg(1, 10)).toBe(3 * TURNS);
  });
});
