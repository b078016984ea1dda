/**
 * Fault specifications (DESIGN §5): one text form for the CLI, the library, scenario files
 * and the browser: `at=5000,module=1,kind=flip,target=x5,bit=3`.
 */
import { registerNumber } from '../isa/registers.ts';
import { csrNumber, csrName } from '../isa/csr.ts';
import { ABI_NAMES } from '../isa/registers.ts';

export const FAULT_KINDS = ['flip', 'stuck0', 'stuck1', 'kill', 'ecc'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultTarget =
  | { type: 'reg'; reg: number }
  | { type: 'pc' }
  | { type: 'csr'; csr: number }
  | { type: 'mem'; addr: number }
  | { type: 'result' };

/** Where a fault lands: one module, or every module of a board. */
export type FaultSite = { module: number } | { board: number };

export type Fault = FaultSite & {
  /** Number of the instruction before which the fault applies (instructions count from 0). */
  at: number;
  kind: FaultKind;
  /** Absent only for `kill`. */
  target?: FaultTarget;
  /** Bit 0..31 of a single-bit fault (absent for `kill` and for a multi-bit fault). */
  bit?: number;
  /** The bits of a multi-bit upset (`bit=3+17`): two or more, ascending; never with `bit`. */
  bits?: number[];
};

/** Every bit a fault hits, ascending (none for `kill`). */
export function faultBits(fault: Fault): number[] {
  return fault.bits ?? (fault.bit === undefined ? [] : [fault.bit]);
}

/** A fault specification a user must fix; the message says what and how. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const KEYS = ['at', 'module', 'board', 'kind', 'target', 'bit'];

function parseCount(key: string, text: string, spec: string): number {
  const clean = text.replace(/_/g, '');
  const value = /^0x[0-9a-f]+$/i.test(clean) ? Number.parseInt(clean, 16) : /^\d+$/.test(clean) ? Number(clean) : NaN;
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new FaultSpecError(`fault '${spec}': ${key}=${text} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new FaultSpecError(`fault '${spec}': ${key}=${text} is not a non-negative integer`);
  }
  return value;
}

export function parseTarget(text: string, spec = text): FaultTarget {
  const name = text.toLowerCase();
  if (name === 'pc') return { type: 'pc' };
  if (name === 'result') return { type: 'result' };
  if (name.startsWith('mem:')) {
    const addrText = name.slice(4);
    const addr = /^0x[0-9a-f]+$/.test(addrText) ? Number.parseInt(addrText, 16) : /^\d+$/.test(addrText) ? Number(addrText) : NaN;
    if (addr > 0xFFFF_FFFF) throw new FaultSpecError(`fault '${spec}': target ${text}: the address is too large (RAM words are 32-bit addresses such as mem:0x80001000)`);
    if (!Number.isInteger(addr)) {
      throw new FaultSpecError(`fault '${spec}': target ${text}: expected a RAM word address such as mem:0x80001000`);
    }
    if (addr % 4 !== 0) throw new FaultSpecError(`fault '${spec}': target ${text} is not word-aligned (use a multiple of 4)`);
    return { type: 'mem', addr };
  }
  const reg = registerNumber(name);
  if (reg !== undefined) {
    if (reg === 0) throw new FaultSpecError(`fault '${spec}': x0 is hard-wired to zero and cannot hold a fault; use x1..x31`);
    return { type: 'reg', reg };
  }
  const csr = csrNumber(name);
  if (csr !== undefined) return { type: 'csr', csr };
  throw new FaultSpecError(
    `fault '${spec}': unknown target '${text}': use x1..x31 (or an ABI name such as a0), pc, a CSR name such as mepc, mem:ADDRESS or result`,
  );
}

export function formatTarget(target: FaultTarget): string {
  switch (target.type) {
    case 'reg': return `x${target.reg}`;
    case 'pc': return 'pc';
    case 'csr': return csrName(target.csr) ?? `0x${target.csr.toString(16)}`;
    case 'mem': return `mem:0x${target.addr.toString(16).padStart(8, '0')}`;
    case 'result': return 'result';
  }
}

/** A target as people say it: `x5 (t0)`, `mepc`, `RAM word 0x80001000`. */
export function describeTarget(target: FaultTarget): string {
  if (target.type === 'reg') return `x${target.reg} (${ABI_NAMES[target.reg]})`;
  if (target.type === 'mem') return `RAM word 0x${target.addr.toString(16).padStart(8, '0')}`;
  return formatTarget(target);
}

/**
 * Parses `key=value,...` (commas, or spaces before a key, between the pairs); the shape is
 * checked here, the machine-specific ranges by checkFault.
 */
export function parseFault(spec: string): Fault {
  const fields = new Map<string, string>();
  for (const part of spec.split(/,|\s+(?=[a-z]+\s*=)/i).map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FaultSpecError(`fault '${spec}': '${part}' is not key=value (keys: ${KEYS.join(', ')})`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!KEYS.includes(key)) throw new FaultSpecError(`fault '${spec}': unknown key '${key}' (keys: ${KEYS.join(', ')})`);
    if (fields.has(key)) throw new FaultSpecError(`fault '${spec}': ${key} is given twice`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const kindText = fields.get('kind');
  if (kindText === undefined) throw new FaultSpecError(`fault '${spec}': missing kind= (one of ${FAULT_KINDS.join(', ')})`);
  const kind = kindText.toLowerCase() as FaultKind;
  if (!FAULT_KINDS.includes(kind)) {
    throw new FaultSpecError(`fault '${spec}': unknown kind '${kindText}' (one of ${FAULT_KINDS.join(', ')})`);
  }
  const atText = fields.get('at');
  if (atText === undefined) throw new FaultSpecError(`fault '${spec}': missing at= (the instruction number, counted from 0)`);
  const at = parseCount('at', atText, spec);
  if (fields.has('module') && fields.has('board')) {
    throw new FaultSpecError(`fault '${spec}': give module= or board=, not both`);
  }
  const site: FaultSite = fields.has('board')
    ? { board: parseCount('board', fields.get('board')!, spec) }
    : { module: fields.has('module') ? parseCount('module', fields.get('module')!, spec) : 0 };
  if (kind === 'kill') {
    if (fields.has('target') || fields.has('bit')) {
      throw new FaultSpecError(`fault '${spec}': kill takes the whole module; drop target= and bit=`);
    }
    return { ...site, at, kind };
  }
  const targetText = fields.get('target');
  if (targetText === undefined) throw new FaultSpecError(`fault '${spec}': missing target= (x1..x31, pc, a CSR name, mem:ADDRESS or result)`);
  const target = parseTarget(targetText, spec);
  const bitText = fields.get('bit');
  if (bitText === undefined) throw new FaultSpecError(`fault '${spec}': missing bit= (0..31, or several joined by +, such as 3+17)`);
  const bits = parseBits(bitText, spec);
  if (kind === 'ecc' && target.type !== 'mem' && target.type !== 'reg') {
    throw new FaultSpecError(`fault '${spec}': ecc faults apply to RAM words (mem:ADDRESS) and registers, whose check bits can detect them`);
  }
  return bits.length === 1 ? { ...site, at, kind, target, bit: bits[0] } : { ...site, at, kind, target, bits };
}

/** `bit=`: one bit 0..31, or a multi-bit upset `3+17` (distinct bits); returned ascending. */
function parseBits(text: string, spec: string): number[] {
  const parts = text.split('+');
  if (parts.some((p) => p.trim() === '')) {
    throw new FaultSpecError(`fault '${spec}': bit=${text}: give bit numbers joined by +, such as bit=3 or bit=3+17`);
  }
  const bits = parts.map((p) => parseCount('bit', p.trim(), spec));
  for (const bit of bits) {
    if (bit > 31) throw new FaultSpecError(`fault '${spec}': bit=${bit} is out of range: registers and words have bits 0..31`);
  }
  const repeated = bits.find((bit, k) => bits.indexOf(bit) !== k);
  if (repeated !== undefined) throw new FaultSpecError(`fault '${spec}': bit=${text} names bit ${repeated} twice: list each bit of the upset once`);
  return bits.sort((a, b) => a - b);
}

export function formatFault(fault: Fault): string {
  const site = 'board' in fault ? `board=${fault.board}` : `module=${fault.module}`;
  const parts = [`at=${fault.at}`, site, `kind=${fault.kind}`];
  if (fault.target) parts.push(`target=${formatTarget(fault.target)}`);
  const bits = faultBits(fault);
  if (bits.length > 0) parts.push(`bit=${bits.join('+')}`);
  return parts.join(',');
}
