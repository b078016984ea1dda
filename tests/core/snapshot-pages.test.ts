/**
 * How a snapshot records RAM (src/machine/snapshot.ts): the core's pageKind() sorts each page
 * into all zero, equal to module 0's, or neither, and must agree with a byte-by-byte reading
 * of the page wherever the one byte that decides it lies; a snapshot of crafted RAM then
 * restores every module's RAM exactly.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import { Random } from '../../src/fault/random.ts';

/** The page's kind as the snapshot format defines it, read a byte at a time. */
function expectedKind(page: Uint8Array, reference: Uint8Array | undefined): number {
  if (page.every((b) => b === 0)) return 0;
  return reference !== undefined && page.every((b, k) => b === reference[k]) ? 1 : 2;
}

describe('snapshot pages', async () => {
  const machine = await Machine.create({ topology: 'dmr' });
  const core = machine.core;
  const L = core.layout;
  const page = L.PAGE_SIZE;
  const ram = (m: number, p: number) => core.slice(L.RAM_SLOTS + m * machine.ramSize + p * page, page);
  const address = (m: number, p: number) => L.RAM_SLOTS + m * machine.ramSize + p * page;

  it('a page is zero, like module 0\'s, or neither, whichever byte decides it', () => {
    const random = new Random(7);
    const offsets = [0, 1, 15, 16, 63, 64, 1000, page - 65, page - 64, page - 2, page - 1];
    for (let k = 0; k < 40; k++) offsets.push(random.below(page));
    for (const offset of offsets) {
      // Module 0's page 3: zero but for one byte; module 1's page 3: equal, then one byte off.
      ram(0, 3).fill(0);
      expect(core.pageKind(address(0, 3), 0, page)).toBe(expectedKind(ram(0, 3), undefined));
      ram(0, 3)[offset] = 1 + random.below(255);
      expect(core.pageKind(address(0, 3), 0, page)).toBe(expectedKind(ram(0, 3), undefined));
      ram(1, 3).set(ram(0, 3));
      expect(core.pageKind(address(1, 3), address(0, 3), page)).toBe(expectedKind(ram(1, 3), ram(0, 3)));
      const other = (offset * 7 + 13) % page;
      ram(1, 3)[other] ^= 1 << random.below(8);
      expect(core.pageKind(address(1, 3), address(0, 3), page)).toBe(expectedKind(ram(1, 3), ram(0, 3)));
      expect(core.pageKind(address(1, 3), 0, page)).toBe(expectedKind(ram(1, 3), undefined));
    }
  });

  it('a snapshot restores crafted RAM of every module exactly', async () => {
    const random = new Random(11);
    const pages = machine.ramSize / page;
    for (let p = 0; p < pages; p++) {
      ram(0, p).fill(0);
      ram(1, p).fill(0);
      const kind = random.below(4); // zero, one byte set, equal across modules, differing
      if (kind >= 1) ram(0, p)[random.below(page)] = 1 + random.below(255);
      if (kind >= 2) ram(1, p).set(ram(0, p));
      if (kind === 3) ram(1, p)[random.below(page)] ^= 0x80;
    }
    const before = [0, 1].map((m) => core.slice(L.RAM_SLOTS + m * machine.ramSize, machine.ramSize).slice());
    const restored = await Machine.fromSnapshot(machine.snapshot());
    const R = restored.core.layout;
    for (const m of [0, 1]) expect(Buffer.from(restored.core.slice(R.RAM_SLOTS + m * restored.ramSize, restored.ramSize)).equals(before[m])).toBe(true);
  });
});
