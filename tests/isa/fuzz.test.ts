/**
 * The assembler never throws: thousands of random and mutated programs (deterministic, from a
 * seeded PRNG) all come back as diagnostics that point into the source.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostics, type AssemblyResult } from '../../src/isa/index.ts';

/** xorshift32 (Marsaglia, 2003): deterministic, seedable. */
function prng(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

const corpus: string[] = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/assembler/cases.json', import.meta.url)), 'utf8')) as { cases: Array<{ source: string }> }
).cases.flatMap((c) => c.source.split('\n'));

const ALPHABET = 'abcdefxyz0123456789 ,()%+-*/<>&|^~!#:;.\'"\\\t$@_=é';
const PIECES = [
  'addi', 'li', 'la', 'call', 'tail', 'lw', 'sw', 'jalr', 'fence', 'csrr', 'beq', 'j', '%hi(', '%lo(', '%pcrel_hi(',
  '%pcrel_lo(', ')', '(', ',', 'a0', 'x31', 'x32', 'sp', 'mstatus', '.word', '.byte', '.half', '.align', '.balign',
  '.p2align', '.equ', '.set', '=', '.section', '.option', 'push', 'pop', 'rvc', '.text', '.data', '.bss', '.rodata',
  '.zero', '.space', '.asciz', '.size', '.type', '@function', '.globl', '"', "'", '1b', '1f', '1:', '.', '0x', '0b',
  '-', '<<', '>>', '/*', '*/', '#', ';', '\\', 'label:', '.L1', '99999999999999999999999', '4096', '-2049',
];

function mutate(line: string, rand: (n: number) => number): string {
  let text = line;
  for (let edits = 1 + rand(4); edits > 0; edits--) {
    const at = rand(text.length + 1);
    switch (rand(4)) {
      case 0: text = text.slice(0, at) + text.slice(at + 1 + rand(4)); break;
      case 1: text = text.slice(0, at) + ALPHABET[rand(ALPHABET.length)] + text.slice(at); break;
      case 2: text = text.slice(0, at) + PIECES[rand(PIECES.length)] + text.slice(at); break;
      case 3: text = `${text.slice(0, at)} ${PIECES[rand(PIECES.length)]} ${text.slice(at)}`; break;
    }
  }
  return text;
}

function randomProgram(rand: (n: number) => number): string {
  const lines: string[] = [];
  for (let count = 1 + rand(20); count > 0; count--) {
    const choice = rand(10);
    if (choice < 3) lines.push(corpus[rand(corpus.length)]);
    else if (choice < 8) lines.push(mutate(corpus[rand(corpus.length)], rand));
    else lines.push(Array.from({ length: rand(40) }, () => ALPHABET[rand(ALPHABET.length)]).join(''));
  }
  return lines.join(rand(8) === 0 ? '\r\n' : '\n');
}

/** Checks the contract every result must meet, whatever the input. */
function checkResult(source: string, result: AssemblyResult): void {
  const lines = source.split(/\r\n|\n|\r/);
  for (const diagnostic of result.diagnostics) {
    expect(diagnostic.message).not.toMatch(/internal assembler error|[\u0000\u0001]/);
    expect(diagnostic.line).toBeGreaterThanOrEqual(0);
    expect(diagnostic.line).toBeLessThanOrEqual(lines.length);
    expect(diagnostic.length).toBeGreaterThanOrEqual(1);
    if (diagnostic.line > 0) {
      expect(diagnostic.sourceLine).toBe(lines[diagnostic.line - 1]);
      expect(diagnostic.column).toBeGreaterThanOrEqual(1);
      expect(diagnostic.column).toBeLessThanOrEqual(diagnostic.sourceLine.length + 1);
    }
  }
  expect(result.ok).toBe(!result.diagnostics.some((diagnostic) => diagnostic.severity === 'error'));
  expect(result.program !== undefined).toBe(result.ok);
  expect(typeof formatDiagnostics(result.diagnostics)).toBe('string');
}

describe('the assembler never throws', () => {
  it.each([1, 2, 3, 4])('on 2,000 random and mutated programs (seed %i)', (seed) => {
    const rand = prng(seed);
    let assembled = 0;
    for (let i = 0; i < 2000; i++) {
      const source = randomProgram(rand);
      const options = { textBase: rand(2) ? 0x10000 : undefined, dataBase: rand(3) ? 0x20000 : undefined };
      const result = assemble(source, options);
      checkResult(source, result);
      if (result.ok) assembled++;
    }
    // Some survive mutation and assemble, so the later stages (fixups, layout) are exercised too.
    expect(assembled).toBeGreaterThan(20);
  });

  it('on every single-character line', () => {
    for (let code = 0; code < 0x250; code++) {
      const source = String.fromCharCode(code);
      checkResult(source, assemble(source));
    }
  });

  it('on input that nests too deeply for a naive recursive parser', () => {
    const chain = Array.from({ length: 2000 }, (_, i) => `.equ A${i}, A${i + 1} + 1`).join('\n');
    for (const source of [
      `li a0, ${'('.repeat(20000)}1${')'.repeat(20000)}`,
      `li a0, ${'-'.repeat(50000)}1`,
      `li a0, ${Array(10000).fill('1').join('+')}`,
      `${chain}\n.word A0\n.equ A2000, 1`,
    ]) {
      const result = assemble(source);
      checkResult(source, result);
      expect(result.ok).toBe(false);
    }
  });
});
