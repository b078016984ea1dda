/**
 * Fault specifications (DESIGN §5): one text form for the CLI, the library, scenario files
 * and the browser: `at=5000,module=1,kind=flip,target=x5,bit=3`. Besides the modules'
 * faults, a checker can fail: `at=N,board=B,kind=stuck-agree,target=comparator` (the
 * comparator's or voter's verdict on board B is stuck; src/machine/checkers.ts). A fault
 * with `module=all` hits every module alike at the same instruction (a common-mode fault).
 */
import { registerNumber } from '../isa/registers.ts';
import { InputError } from '../input-error.ts';
import { csrNumber, csrName } from '../isa/csr.ts';
import { ABI_NAMES } from '../isa/registers.ts';

/** Faults of a module. */
export const MODULE_FAULT_KINDS = ['flip', 'stuck0', 'stuck1', 'kill', 'ecc'] as const;
/** Faults of a checker: its verdict stuck at "agree" (it hides a divergence) or at "disagree" (it reports one where there is none). */
export const CHECKER_FAULT_KINDS = ['stuck-agree', 'stuck-disagree'] as const;
export const FAULT_KINDS = [...MODULE_FAULT_KINDS, ...CHECKER_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type CheckerFaultKind = (typeof CHECKER_FAULT_KINDS)[number];

/** What checks the modules: dmr and pair-spare compare, tmr votes. */
export const CHECKERS = ['comparator', 'voter'] as const;
export type Checker = (typeof CHECKERS)[number];

export function isCheckerKind(kind: FaultKind): kind is CheckerFaultKind {
  return (CHECKER_FAULT_KINDS as readonly string[]).includes(kind);
}

export type FaultTarget =
  | { type: 'reg'; reg: number }
  | { type: 'pc' }
  | { type: 'csr'; csr: number }
  | { type: 'mem'; addr: number }
  | { type: 'result' }
  | { type: 'checker'; checker: Checker };

/**
 * Where a fault lands: one module, every module of a board (for a checker fault: the
 * checker's verdict on that board), or every module of the machine (`module=all`).
 */
export type FaultSite = { module: number } | { board: number } | { all: true };

export type Fault = FaultSite & {
  /** Number of the instruction before which the fault applies (instructions count from 0). */
  at: number;
  /**
   * Instead of `at` (then 0): the virtual time, in µs from power-on, at which the fault
   * applies, to the next instruction (`at=500ms`). Only runs with a virtual clock of their
   * own take these (transaction workloads: TransactionFeed); Machine.inject refuses them.
   */
  atUs?: number;
  kind: FaultKind;
  /** Absent only for `kill`. */
  target?: FaultTarget;
  /** Bit 0..31 of a single-bit fault (absent for `kill`, checker faults and multi-bit faults). */
  bit?: number;
  /** The bits of a multi-bit upset (`bit=3+17`): two or more, ascending; never with `bit`. */
  bits?: number[];
};

/** Every bit a fault hits, ascending (none for `kill`). */
export function faultBits(fault: Fault): number[] {
  return fault.bits ?? (fault.bit === undefined ? [] : [fault.bit]);
}

/** A fault specification a user must fix; the message says what and how. */
export class FaultSpecError extends InputError {
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
  if ((CHECKERS as readonly string[]).includes(name)) return { type: 'checker', checker: name as Checker };
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
    `fault '${spec}': unknown target '${text}': use x1..x31 (or an ABI name such as a0), pc, a CSR name such as mepc, mem:ADDRESS, result, comparator or voter`,
  );
}

export function formatTarget(target: FaultTarget): string {
  switch (target.type) {
    case 'reg': return `x${target.reg}`;
    case 'pc': return 'pc';
    case 'csr': return csrName(target.csr) ?? `0x${target.csr.toString(16)}`;
    case 'mem': return `mem:0x${target.addr.toString(16).padStart(8, '0')}`;
    case 'result': return 'result';
    case 'checker': return target.checker;
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
  if (atText === undefined) throw new FaultSpecError(`fault '${spec}': missing at= (the instruction number, counted from 0, or a virtual time such as 500ms)`);
  const time = parseTime(atText, spec);
  const when = time === undefined ? { at: parseCount('at', atText, spec) } : { at: 0, atUs: time };
  if (fields.has('module') && fields.has('board')) {
    throw new FaultSpecError(`fault '${spec}': give module= or board=, not both`);
  }
  const moduleText = fields.get('module');
  if (isCheckerKind(kind)) return parseCheckerFault(spec, kind, when, fields);
  const site: FaultSite = fields.has('board')
    ? { board: parseCount('board', fields.get('board')!, spec) }
    : moduleText?.toLowerCase() === 'all' ? { all: true }
    : { module: moduleText !== undefined ? parseCount('module', moduleText, spec) : 0 };
  if (kind === 'kill') {
    if (fields.has('target') || fields.has('bit')) {
      throw new FaultSpecError(`fault '${spec}': kill takes the whole module; drop target= and bit=`);
    }
    return { ...site, ...when, kind };
  }
  const targetText = fields.get('target');
  if (targetText === undefined) throw new FaultSpecError(`fault '${spec}': missing target= (x1..x31, pc, a CSR name, mem:ADDRESS or result)`);
  const target = parseTarget(targetText, spec);
  if (target.type === 'checker') {
    throw new FaultSpecError(`fault '${spec}': a ${target.checker} fails with its verdict stuck: kind=stuck-agree or kind=stuck-disagree`);
  }
  const bitText = fields.get('bit');
  if (bitText === undefined) throw new FaultSpecError(`fault '${spec}': missing bit= (0..31, or several joined by +, such as 3+17)`);
  const bits = parseBits(bitText, spec);
  if (kind === 'ecc' && target.type !== 'mem' && target.type !== 'reg') {
    throw new FaultSpecError(`fault '${spec}': ecc faults apply to RAM words (mem:ADDRESS) and registers, whose check bits can detect them`);
  }
  return bits.length === 1 ? { ...site, ...when, kind, target, bit: bits[0] } : { ...site, ...when, kind, target, bits };
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

const TIME_UNITS: Record<string, number> = { s: 1e6, ms: 1e3, us: 1, 'µs': 1 };

/** `at=500ms`, `at=1.5s`, `at=250us`: µs, or undefined for a plain instruction number. */
function parseTime(text: string, spec: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|ms|us|µs)$/i.exec(text.trim());
  if (!match) return undefined;
  const us = Number(match[1]) * TIME_UNITS[match[2].toLowerCase()];
  if (!(us <= 86_400e6)) throw new FaultSpecError(`fault '${spec}': at=${text} is later than a virtual day`);
  if (Math.abs(us * 100 - Math.round(us * 100)) > 1e-6) throw new FaultSpecError(`fault '${spec}': at=${text} is not a whole number of 10 ns clock cycles`);
  return Math.round(us * 100) / 100;
}

/** A virtual time in µs as `at=` writes it: `2s`, `500ms`, `1500us`. */
export function formatTime(us: number): string {
  if (us % 1e6 === 0) return `${us / 1e6}s`;
  if (us % 1e3 === 0) return `${us / 1e3}ms`;
  return `${us}us`;
}

/**
 * A checker fault: `kind=stuck-agree|stuck-disagree,target=comparator|voter`, on `board=B`
 * (board 0 when no site is given); no bit.
 */
function parseCheckerFault(spec: string, kind: CheckerFaultKind, when: { at: number; atUs?: number }, fields: Map<string, string>): Fault {
  const targetText = fields.get('target');
  if (targetText === undefined) throw new FaultSpecError(`fault '${spec}': missing target= (${kind} is a fault of a checker: target=comparator or target=voter)`);
  const target = parseTarget(targetText, spec);
  if (target.type !== 'checker') {
    throw new FaultSpecError(`fault '${spec}': ${kind} is a fault of a checker: use target=comparator or target=voter (a module's bits take flip, stuck0 or stuck1)`);
  }
  if (fields.has('bit')) throw new FaultSpecError(`fault '${spec}': a ${target.checker}'s verdict has no bits: drop bit=`);
  if (fields.has('module')) {
    throw new FaultSpecError(`fault '${spec}': a ${target.checker} fault names the board whose verdict is stuck: use board=B instead of module=`);
  }
  const board = fields.has('board') ? parseCount('board', fields.get('board')!, spec) : 0;
  return { board, ...when, kind, target };
}

export function formatFault(fault: Fault): string {
  const site = 'board' in fault ? `board=${fault.board}` : 'all' in fault ? 'module=all' : `module=${fault.module}`;
  const parts = [`at=${fault.atUs === undefined ? fault.at : formatTime(fault.atUs)}`, site, `kind=${fault.kind}`];
  if (fault.target) parts.push(`target=${formatTarget(fault.target)}`);
  const bits = faultBits(fault);
  if (bits.length > 0) parts.push(`bit=${bits.join('+')}`);
  return parts.join(',');
}
