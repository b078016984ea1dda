/**
 * What early stopping rests on: Machine.restore() puts a machine in a snapshot's state in
 * place (as fromSnapshotSync() would in a new one), and StateImage.matches() says a machine
 * will go on as the reference did exactly when its state, online modules and all, is the
 * reference's — a module taken offline aside.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { StateImage } from '../../src/campaign/state.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts';

const checksum = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');

async function machine(topology: Topology = 'simplex') {
  let text = '';
  const m = await Machine.create({ topology, console: { write: (_fd, bytes) => { text += new TextDecoder().decode(bytes); }, read: () => null } });
  m.load(checksum);
  return { m, output: () => text };
}

const runTo = (m: Machine, instret: number) => { while (!m.halt && m.instret < instret) m.run(Math.min(instret - m.instret, 2 ** 30)); };

describe('Machine.restore', () => {
  it('in place, after another run, goes on exactly as the snapshotted machine', async () => {
    const a = await machine('tmr');
    runTo(a.m, 12_000);
    const snapshot = a.m.snapshot();
    const printed = a.output().length;
    const b = await machine('tmr');
    b.m.inject(parseFault('at=100,module=1,kind=kill'));
    runTo(b.m, 20_000); // a different history: a module dead, more instructions
    b.m.restore(snapshot);
    expect(b.m.instret).toBe(12_000);
    expect(b.m.moduleStatus().every((s) => s.state === 'online' && !s.dead)).toBe(true);
    expect(b.m.events).toEqual([]);
    const before = b.output().length;
    runTo(b.m, Infinity);
    expect(b.m.halt?.reason).toBe('exit');
    expect(b.output().slice(before)).toBe(CHECKSUM_OUTPUT.slice(printed));
    expect(b.m.events.map((e) => e.kind)).toEqual(['halt']);
  });

  it('refuses a snapshot of another machine', async () => {
    const simplex = await machine('simplex');
    const tmr = await machine('tmr');
    expect(() => tmr.m.restore(simplex.m.snapshot())).toThrow(/another machine.*topology is simplex, not tmr/);
  });
});

describe('StateImage.matches', () => {
  /** The reference at 10,000 and 14,000 instructions, and a machine restored at 10,000 with `fault`, run to 14,000. */
  async function compare(topology: Topology, fault: string, touched = true) {
    const ref = await machine(topology);
    runTo(ref.m, 10_000);
    const start = ref.m.snapshot();
    const at10 = StateImage.capture(ref.m);
    runTo(ref.m, 14_000);
    const at14 = StateImage.capture(ref.m, at10);
    const faulty = await machine(topology);
    faulty.m.restore(start);
    const parsed = parseFault(fault);
    faulty.m.inject(parsed);
    const L = faulty.m.core.layout;
    const pages = touched && parsed.target?.type === 'mem' ? [{ module: (parsed as { module: number }).module, page: (parsed.target.addr - L.RAM_BASE) / L.PAGE_SIZE }] : [];
    runTo(faulty.m, 14_000);
    return { at14, faulty: faulty.m, pages, matchesAt10: at10.matches(Machine.fromSnapshotSync(start)) };
  }

  it('a restored machine matches the image of its own instant', async () => {
    expect((await compare('simplex', 'at=12000,module=0,kind=flip,target=x9,bit=0')).matchesAt10).toBe(true);
  });

  it('a flip the program overwrites before reading it: the same future', async () => {
    // t1 (x6) is next written before it is read (the hex printer's nibble): a flip of it is masked.
    const { at14, faulty, pages } = await compare('simplex', 'at=12000,module=0,kind=flip,target=x6,bit=7');
    expect(faulty.events.map((e) => e.kind)).toEqual(['inject']);
    expect(at14.matches(faulty, pages)).toBe(true);
  });

  it('a flip in a register the program never reads differs for good', async () => {
    const { at14, faulty, pages } = await compare('simplex', 'at=12000,module=0,kind=flip,target=x31,bit=3');
    expect(at14.matches(faulty, pages)).toBe(false);
  });

  it('tmr: a module that still differs is compared; one taken offline is not, its partners are the reference\'s', async () => {
    const { at14, faulty, pages } = await compare('tmr', 'at=12000,module=2,kind=flip,target=x31,bit=3');
    expect(faulty.moduleStatus()[2].state).toBe('online'); // x31 is never read: nothing to outvote
    expect(at14.matches(faulty, pages)).toBe(false);
    const killed = await compare('tmr', 'at=12000,module=2,kind=kill');
    expect(killed.faulty.moduleStatus()[2].state).toBe('offline');
    expect(killed.at14.matches(killed.faulty, killed.pages)).toBe(true);
  });

  it('a flip in a RAM word no store touches is found only through the page the fault wrote', async () => {
    const { at14, faulty, pages } = await compare('simplex', 'at=12000,module=0,kind=flip,target=mem:0x80080000,bit=5');
    expect(at14.matches(faulty, pages)).toBe(false);
    expect(at14.matches(faulty, [])).toBe(true); // the precondition: a page written without a store must be named
  });

  it('a stuck bit armed on an online module differs, even where the value happens to agree', async () => {
    const { at14, faulty, pages } = await compare('simplex', 'at=12000,module=0,kind=stuck0,target=x31,bit=3');
    expect(faulty.reg(0, 31) & 8).toBe(0); // x31 is 0 in this program: the stuck 0 changes no value
    expect(at14.matches(faulty, pages)).toBe(false);
  });
});
