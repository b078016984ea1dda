/**
 * The examples the page offers (web/state/examples.ts): each runs to exit status 0, an
 * instruction count in its title is the one it runs, and the benchmarks print what a model
 * of their loops in plain TypeScript computes.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLES, exampleById } from '../../web/state/examples.ts';
import { Machine } from '../../src/machine/machine.ts';
import { assemble } from '../../src/isa/index.ts';

interface Run { output: string; instret: number; exitCode?: number; reason?: string }
const runs = new Map<string, Promise<Run>>();

/** Runs an example on simplex to its end (once per example). */
function run(id: string): Promise<Run> {
  if (!runs.has(id)) runs.set(id, runOnce(id));
  return runs.get(id)!;
}

async function runOnce(id: string): Promise<Run> {
  const example = exampleById(id)!;
  const chunks: Uint8Array[] = [];
  const machine = await Machine.create({ topology: 'simplex', console: { write: (_fd, b) => chunks.push(b.slice()), read: () => null } });
  machine.load(assemble(example.source, { file: example.file }).program!);
  while (!machine.halt) machine.run(1 << 30);
  return {
    output: Buffer.concat(chunks).toString('latin1'), instret: machine.instret,
    exitCode: machine.halt.exitCode, reason: machine.halt.reason,
  };
}

const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/**
 * examples/bench/int-mix.s in TypeScript: 6 M turns of an LCG feeding y. Every turn takes
 * the odd branch (x stays odd: odd × odd + 1234), 20 instructions; 9 set up the registers;
 * printing y takes 2, then 8 per hex digit 0-9 and 9 per digit a-f, then 5 to print the
 * newline and exit.
 */
function intMix(): { output: string; instructions: number } {
  const turns = 6_000_000;
  let x = 12345;
  let y = 0;
  let odd = 0;
  for (let i = 0; i < turns; i++) {
    x = (Math.imul(x, 1103515245) + 1234) >>> 0;
    y = (y ^ (x >>> 7)) >>> 0;
    if (x & 1) {
      y = (y + i) >>> 0;
      odd++;
    } else {
      y = (y - i) >>> 0;
    }
    y = (y | ((y % 7) << 3)) >>> 0;
    y = (y + (y < x ? 1 : 0)) >>> 0;
    y = (y ^ Math.floor(x / 7)) >>> 0;
    y = (y + (((y | 0) >> 3) & x)) >>> 0;
  }
  const digits = hex8(y);
  const letters = [...digits].filter((d) => d >= 'a').length;
  return { output: `${digits}\n`, instructions: 9 + 19 * turns + odd + 2 + 8 * 8 + letters + 5 };
}

/**
 * examples/bench/memory.s in TypeScript: a[i] = i × 0x9E3779B1 over 65,536 words; 150
 * passes of a[i] = ((a[i-1] + a[i+1]) >> 1) ^ a[i] for i = 1..65,534 in place, each
 * followed by a histogram of the first 16 KiB's bytes (little-endian) into 256 counters
 * kept across passes; it prints Σ counter[t] × t.
 */
function memoryBench(): string {
  const a = new Uint32Array(65_536);
  for (let i = 0; i < a.length; i++) a[i] = Math.imul(i, 0x9E3779B1);
  const histogram = new Uint32Array(256);
  const bytes = new Uint8Array(a.buffer, 0, 16_384);
  for (let pass = 0; pass < 150; pass++) {
    for (let i = 1; i < a.length - 1; i++) a[i] = (((a[i - 1] + a[i + 1]) >>> 0) >>> 1) ^ a[i];
    for (const b of bytes) histogram[b]++;
  }
  let sum = 0;
  for (let t = 0; t < 256; t++) sum = (sum + Math.imul(histogram[t], t)) >>> 0;
  return `${hex8(sum)}\n`;
}

describe('the examples the page offers', () => {
  // Transaction workloads serve their port until the run's duration ends, never exiting: tests/worker/workload.test.ts and tests/browser/transactions.test.ts run them.
  it.each(EXAMPLES.filter((e) => e.workload === undefined).map((e) => [e.id, e.title]))('%s (%s) exits with status 0, and runs as many instructions as its title says', async (id, title) => {
    const result = await run(id);
    expect(result).toMatchObject({ reason: 'exit', exitCode: 0 });
    const said = /\((\d+) M instructions\)/.exec(title);
    if (said) expect(Math.round(result.instret / 1e6)).toBe(Number(said[1]));
  });

  it('int-mix prints the y a model of its loop computes, after exactly as many instructions', async () => {
    const model = intMix();
    const result = await run('int-mix');
    expect(result.output).toBe(model.output);
    expect(result.instret).toBe(model.instructions);
  });

  it('memory prints the histogram checksum a model of its passes computes', async () => {
    expect((await run('memory')).output).toBe(memoryBench());
  });
});
