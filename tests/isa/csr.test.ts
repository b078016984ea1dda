/** CSR numbers by name: the privileged ISA's Tables 2.2–2.5 (version 20211203). */
import { describe, expect, it } from 'vitest';
import { csrName, csrNumber, knownCsr } from '../../src/isa/csr.ts';

describe('CSR numbers', () => {
  it.each([
    ['mstatus', 0x300], ['mie', 0x304], ['mtvec', 0x305], ['mscratch', 0x340],
    ['mepc', 0x341], ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344], ['mhartid', 0xF14],
  ])('%s is %i both ways', (name, number) => {
    expect(knownCsr(name)).toBe(number);
    expect(csrNumber(name)).toBe(number);
    expect(csrName(number)).toBe(name);
  });

  it('knownCsr refuses a name the table lacks, where csrNumber answers undefined', () => {
    expect(csrNumber('mepcc')).toBeUndefined();
    expect(() => knownCsr('mepcc')).toThrow("no CSR is named 'mepcc'");
  });
});
