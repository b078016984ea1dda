/**
 * The reference card (src/machine/reference-card.ts): its devices sit where QEMU's `virt`
 * board and the 16550 put them (DESIGN §3), its calls are the ones the machine serves, and
 * the README documents every row of it — the calls in "Host-served ecalls", each register
 * of a device at its offset in the memory-map row of the device's address.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/machine/core.ts';
import { referenceCard } from '../../src/machine/reference-card.ts';
import { HOST_CALLS, decodeCall, serveCall } from '../../src/machine/hostcalls.ts';

const card = referenceCard((await Core.create()).layout);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** `0x1000_1000`, as the README writes addresses. */
const readmeAddress = (n: number) => {
  const digits = n.toString(16).toUpperCase().padStart(8, '0');
  return `0x${digits.slice(0, 4)}_${digits.slice(4)}`;
};

describe('the reference card', () => {
  it('puts the devices at the virt board\'s addresses and the registers at their specs\' offsets', () => {
    const at = (device: string) => card.devices.find((d) => d.name.startsWith(device))!;
    expect(at('CLINT').registers.map((r) => [r.name, r.address])).toEqual([['msip', 0x0200_0000], ['mtimecmp', 0x0200_4000], ['mtime', 0x0200_BFF8]]);
    expect(at('console UART').registers.map((r) => [r.name, r.address])).toEqual([
      ['THR/RBR', 0x1000_0000], ['IER', 0x1000_0001], ['IIR', 0x1000_0002], ['LCR', 0x1000_0003], ['MCR', 0x1000_0004], ['LSR', 0x1000_0005], ['SCR', 0x1000_0007],
    ]);
    expect(at('test finisher').base).toBe(0x0010_0000);
    expect(at('test finisher').registers[0].effect).toMatch(/^0x5555 ends the run passed; \(code << 16\) \| 0x3333 fails it/);
    expect(card.ramBase).toBe(0x8000_0000);
  });

  it('lists exactly the calls the machine serves: each is served, a number not listed answers ENOSYS', () => {
    const io = { write() {}, read: () => null };
    for (const call of HOST_CALLS) {
      const decoded = decodeCall({ reg: (n) => (n === 17 ? call.number : 0), read: () => new Uint8Array(1) });
      expect(decoded.args.length, call.name).toBe(call.args.length);
      const outcome = serveCall(decoded, io, { brk: 0x8000_1000, start: 0x8000_1000, pendingLine: [] }, 0x8010_0000);
      expect(outcome, `${call.number} ${call.name}`).not.toEqual({ kind: 'return', a0: -38 >>> 0 });
    }
    expect(serveCall({ number: 999, args: [] }, io, { brk: 0, start: 0, pendingLine: [] }, 0)).toEqual({ kind: 'return', a0: -38 >>> 0 });
  });

  it('is what the README documents: every host call by number and name', () => {
    const paragraph = readme.slice(readme.indexOf('- **Host-served ecalls:**'), readme.indexOf('Once a program sets `mtvec`'));
    for (const call of HOST_CALLS) {
      expect(paragraph, `${call.number} ${call.name}`).toMatch(new RegExp(`(\`\\d+\`/)*\`${call.number}\`(/\`\\d+\`)* ${call.name}\\b`));
    }
  });

  it('is what the README documents: every register of every device, at its offset, in its device\'s row of the memory map', () => {
    for (const device of card.devices) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${readmeAddress(device.base)}\` |`));
      expect(row, device.name).toBeDefined();
      for (const r of device.registers) {
        const match = new RegExp(`\`${r.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` \\+0x([0-9A-F]+)(?:\\.\\.\\+0x([0-9A-F]+))?`).exec(row!);
        expect(match, `${device.name} ${r.name}`).not.toBeNull();
        expect(Number.parseInt(match![1], 16), `${device.name} ${r.name}`).toBe(r.offset);
        if (r.words > 1 && match![2] !== undefined) expect(Number.parseInt(match![2], 16)).toBe(r.offset + 4 * (r.words - 1));
      }
    }
  });
});
