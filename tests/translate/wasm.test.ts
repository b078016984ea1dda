/**
 * The translator's WebAssembly encoder against the specification's encodings: LEB128
 * (core spec §5.2.2; the examples are the DWARF standard's, appendix C) and a whole module
 * that the engine validates and runs.
 */
import { describe, expect, it } from 'vitest';
import { Bytes, Code, Op, moduleOf } from '../../src/translate/wasm.ts';

const encode = (write: (b: Bytes) => void) => Array.from((() => { const b = new Bytes(); write(b); return b.view(); })());

describe('LEB128', () => {
  it.each([
    [0, [0x00]], [2, [0x02]], [127, [0x7F]], [128, [0x80, 0x01]], [129, [0x81, 0x01]],
    [130, [0x82, 0x01]], [12857, [0xB9, 0x64]], [624485, [0xE5, 0x8E, 0x26]],
    [0xFFFF_FFFF, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]],
  ])('unsigned %d', (value, bytes) => expect(encode((b) => b.u32(value))).toEqual(bytes));

  it.each([
    [0, [0x00]], [2, [0x02]], [-2, [0x7E]], [127, [0xFF, 0x00]], [-127, [0x81, 0x7F]],
    [128, [0x80, 0x01]], [-128, [0x80, 0x7F]], [129, [0x81, 0x01]], [-129, [0xFF, 0x7E]],
    [-123456, [0xC0, 0xBB, 0x78]], [-2147483648, [0x80, 0x80, 0x80, 0x80, 0x78]],
    [0x8000_0000, [0x80, 0x80, 0x80, 0x80, 0x78]], // taken modulo 2^32, as an i32 constant is
  ])('signed %d', (value, bytes) => expect(encode((b) => b.s32(value))).toEqual(bytes));
});

describe('moduleOf', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });

  it('builds a module the engine validates, with a function over the imported memory', () => {
    // run(a, b): memory[b] = a; return memory[b] + 1 (through a local and a loop that runs once)
    const body = new Code();
    body.get(1).get(0).mem(Op.i32Store, 0, 2);
    body.loop().get(1).mem(Op.i32Load, 0, 2).i32(1).op(Op.i32Add).set(2).end();
    body.get(2);
    const bytes = moduleOf(body, 2, 1, 'run', { module: 'core', field: 'memory' });
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { core: { memory } }).exports.run as (a: number, b: number) => number;
    expect(run(41, 64)).toBe(42);
    expect(new Uint32Array(memory.buffer)[16]).toBe(41);
  });

  it('branches by depth: br_table picks the block, br_if leaves it', () => {
    // run(k, _) = [10, 20, 30][k], 99 beyond
    const body = new Code();
    body.block().block().block().block();
    body.get(0).brTable([0, 1, 2], 3);
    body.end().i32(10).set(2).br(2);
    body.end().i32(20).set(2).br(1);
    body.end().i32(30).set(2).br(0);
    body.end().get(2).i32(0).op(Op.i32Eq).if().i32(99).set(2).end();
    body.get(2);
    const bytes = moduleOf(body, 2, 1, 'run', { module: 'core', field: 'memory' });
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { core: { memory } }).exports.run as (a: number, b: number) => number;
    expect([0, 1, 2, 3, 7].map((k) => run(k, 0))).toEqual([10, 20, 30, 99, 99]);
  });
});
