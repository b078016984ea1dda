/**
 * What a watchpoint watches: a register or a RAM word of the reference module, written as
 * fault targets are (`x5`, an ABI name such as `t0`, `mem:0x80001000`; a bare address is a
 * RAM word too).
 */
import { ABI_NAMES, registerNumber } from '../isa/registers.ts';
import { InputError } from '../input-error.ts';

export type WatchTarget = { type: 'reg'; reg: number } | { type: 'mem'; addr: number };

/** A watch target that cannot be watched; the message says what to write instead. */
export class WatchError extends InputError {
  override name = 'WatchError';
}

/** Parses `x5`, `t0`, `mem:0x80001000` or `0x80001000`; throws WatchError. */
export function parseWatch(text: string): WatchTarget {
  const name = text.trim().toLowerCase();
  const reg = registerNumber(name);
  if (reg !== undefined) {
    if (reg === 0) throw new WatchError(`watch '${text}': x0 is always zero and never changes; watch x1..x31 or a RAM word`);
    return { type: 'reg', reg };
  }
  const addrText = name.startsWith('mem:') ? name.slice(4) : name;
  const clean = addrText.replace(/_/g, '');
  const addr = /^0x[0-9a-f]{1,8}$/.test(clean) ? Number.parseInt(clean, 16) : /^\d+$/.test(clean) ? Number(clean) : NaN;
  if (!Number.isSafeInteger(addr) || addr > 0xFFFF_FFFF) {
    throw new WatchError(`watch '${text}': expected a register (x1..x31 or an ABI name such as a0) or a RAM word (mem:0x80001000)`);
  }
  if (addr % 4 !== 0) throw new WatchError(`watch '${text}': a RAM word's address is a multiple of 4`);
  return { type: 'mem', addr };
}

/** The canonical text: `x5`, `mem:0x80001000`. */
export function formatWatch(target: WatchTarget): string {
  return target.type === 'reg' ? `x${target.reg}` : `mem:0x${target.addr.toString(16).padStart(8, '0')}`;
}

/** As people say it: `x5 (t0)`, `RAM word 0x80001000`. */
export function describeWatch(target: WatchTarget): string {
  return target.type === 'reg' ? `x${target.reg} (${ABI_NAMES[target.reg]})` : `RAM word 0x${target.addr.toString(16).padStart(8, '0')}`;
}
