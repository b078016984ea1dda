/**
 * The shared GNU as cases (../shared/assembler/cases.json, see its README): every case must
 * assemble to exactly the bytes GNU as + ld produced, and its expected .text must survive
 * disassembly and re-assembly unchanged.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, formatDiagnostics } from '../../src/isa/index.ts';

interface Case {
  name: string;
  kind: 'single' | 'program';
  source: string;
  text_hex: string;
  data_hex: string;
  features: string[];
}

const file = JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/assembler/cases.json', import.meta.url)), 'utf8')) as {
  text_base: string;
  data_base: string;
  count: number;
  cases: Case[];
};
const textBase = Number(file.text_base);
const dataBase = Number(file.data_base);

const hex = (bytes: Uint8Array | undefined) => Array.from(bytes ?? [], (byte) => byte.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

it('reads every case of the shared file', () => {
  expect(file.cases).toHaveLength(file.count);
  expect(file.count).toBe(1800);
});

describe('GNU as cases, byte for byte', () => {
  it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = assemble(c.source, { file: c.name, textBase, dataBase });
    expect(formatDiagnostics(result.diagnostics)).toBe('');
    expect(hex(result.sections.find((section) => section.name === '.text')?.bytes)).toBe(c.text_hex);
    expect(hex(result.sections.find((section) => section.name === '.data')?.bytes)).toBe(c.data_hex);
  });
});

describe('disassembling each case and assembling the text again gives the same bytes', () => {
  it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const bytes = fromHex(c.text_hex);
    const view = new DataView(bytes.buffer);
    const lines: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += 4) lines.push(disassemble(view.getUint32(offset, true), textBase + offset));
    const result = assemble(lines.join('\n'), { textBase });
    expect(formatDiagnostics(result.diagnostics)).toBe('');
    expect(hex(result.sections.find((section) => section.name === '.text')?.bytes)).toBe(c.text_hex);
  });
});
