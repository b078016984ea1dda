/**
 * The event timeline: the machine's events (src/machine/events.ts) as entries people read,
 * in the order injected → diverged → detected → offline → replaced → resynced (a failover
 * system's: failover.ts). Events that
 * happen to one board at one instruction (a pair going offline together, a board replaced)
 * become one entry. A divergence entry carries its report: field, both values, pc. The
 * last entry, once the run has ended, is its outcome against the fault-free run.
 */
import { type MachineEvent, divergenceValues } from '../../src/machine/events.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { boardOf } from '../../src/machine/topology.ts';
import { parseFault, describeTarget, faultBits } from '../../src/fault/spec.ts';
import { count, hex32 } from './format.ts';
import { verdictText, type Tone } from './verdict.ts';
import type { Halt } from '../../src/machine/events.ts';
import type { Verdict } from '../../src/worker/session.ts';

export type Stage =
  | 'injected' | 'diverged' | 'detected' | 'error' | 'corrected' | 'scrub' | 'offline' | 'failstop' | 'diagnosed'
  | 'replaced' | 'readmitted' | 'resync' | 'resynced' | 'halted' | 'outcome'
  // a failover system's (web/state/failover.ts)
  | 'checkpoint' | 'host-down' | 'declared' | 'takeover' | 'service-down';

export interface DivergenceReport {
  /** The instruction at which the comparator detected it. */
  instret: number;
  /** The instruction at which the modules' records first differed (a replay found it), when earlier. */
  firstDiffered?: number;
  pc: number;
  field: string;
  module: number;
  reference: number;
  /** The reference module's value. */
  expected: string;
  /** The diverging module's value. */
  actual: string;
  /** "module 1 wrote x5 = 0x00000040, module 0 wrote 0x00000048". */
  sentence: string;
}

export interface TimelineEntry {
  /** Index of its first event in the machine's event list (stable across updates). */
  key: string;
  stage: Stage;
  instret: number;
  /** Virtual time of the entry, µs, for a failover system's (its story is told in time; declarations have no instruction). */
  timeUs?: number;
  /** Short heading: "Diverged", "Board 0 offline". */
  title: string;
  /** One sentence: what happened, where. */
  text: string;
  modules: number[];
  report?: DivergenceReport;
  /** How it reads: good news, a warning, bad news or neither (the halt, the outcome). */
  tone?: Tone;
}

/** The words before each module's value, by the divergence's field (see src/machine/records.ts). */
function verbs(field: string): [string, string] {
  if (/^x\d+$/.test(field)) return [`wrote ${field} =`, 'wrote'];
  switch (field) {
    case 'pc': return ['executed at', 'executed at'];
    case 'instruction': return ['fetched', 'fetched'];
    case 'trap': return ['trapped with', 'trapped with'];
    case 'rd': return ['wrote', 'wrote'];
    case 'access': return ['made a', 'made a'];
    case 'address': return ['accessed', 'accessed'];
    case 'store data': return ['stored', 'stored'];
    case 'load data': return ['loaded', 'loaded'];
    case 'next pc': return ['went on to', 'went on to'];
    default: return [`had ${field} =`, 'had'];
  }
}

function divergenceSentence(e: { module: number; reference: number; field: string; expected: string; actual: string }): string {
  const [verb, again] = verbs(e.field);
  return `module ${e.module} ${verb} ${e.actual}, module ${e.reference} ${again} ${e.expected}`;
}

const OFFLINE_REASONS: Record<string, string> = {
  'outvoted': 'outvoted by the other modules',
  'pair-disagreed': 'the two modules of its pair disagreed',
  'announced': 'it announced an uncorrectable error',
  'dead': 'it stopped running (pulled)',
  'partner-lost': 'its pair partner went offline, so the pair can no longer check itself',
  'removed': 'pulled for replacement',
};

const list = (modules: number[]) => (modules.length === 1 ? `module ${modules[0]}` : `modules ${modules.join(', ')}`);

/** "bit flip in x9 (s1) bit 2", "kill", "comparator stuck at agree", "stuck-at-1 in RAM word 0x80001000 bits 3 and 17"; "… on every module" for module=all. */
export function describeFaultText(spec: string): string {
  try {
    const f = parseFault(spec);
    const everywhere = 'all' in f ? ' (the same on every module: a common-mode fault)' : '';
    if (f.target?.type === 'checker') return `${f.target.checker} stuck at ${f.kind === 'stuck-agree' ? 'agree' : 'disagree'}`;
    if (f.kind === 'kill') return `kill (module pulled)${everywhere}`;
    const kind = { flip: 'bit flip', stuck0: 'stuck-at-0', stuck1: 'stuck-at-1', ecc: 'ECC error' }[f.kind as 'flip' | 'stuck0' | 'stuck1' | 'ecc'];
    const bits = faultBits(f);
    const which = bits.length === 1 ? `bit ${bits[0]}` : `bits ${bits.slice(0, -1).join(', ')} and ${bits.at(-1)}`;
    return `${kind} in ${describeTarget(f.target!)} ${which}${everywhere}`;
  } catch {
    return spec;
  }
}

const VERDICTS: Record<string, string> = {
  transient: 'only a transient fault: it comes back',
  permanent: 'a permanent fault: it waits for its replacement',
  retired: 'too many errors: it is retired for good and waits for its replacement',
};

/** Where `modules` sit: "board 0 (modules 0, 1)" in pair-spare for a whole board, else the modules. */
function site(topology: Topology, modules: number[]): string {
  if (topology === 'pair-spare' && modules.length === 2 && boardOf(topology, modules[0]) === boardOf(topology, modules[1])) {
    return `board ${boardOf(topology, modules[0])} (modules ${modules.join(', ')})`;
  }
  return list(modules);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function buildTimeline(events: readonly MachineEvent[], topology: Topology): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < events.length; i++) {
    if (taken.has(i)) continue;
    const e = events[i];
    const key = String(i);
    // Gather the later events of the same kind at the same instruction that belong with this one.
    const run = (same: (o: MachineEvent) => boolean): MachineEvent[] => {
      const group = [e];
      for (let j = i + 1; j < events.length && events[j].instret === e.instret; j++) {
        if (events[j].kind === e.kind && !taken.has(j) && same(events[j])) {
          group.push(events[j]);
          taken.add(j);
        }
      }
      return group;
    };
    switch (e.kind) {
      case 'inject': {
        const group = run((o) => o.kind === 'inject' && o.fault === e.fault) as Extract<MachineEvent, { kind: 'inject' }>[];
        const modules = group.map((g) => g.module);
        entries.push({
          key, stage: 'injected', instret: e.instret, modules, title: 'Fault injected',
          text: `${capital(describeFaultText(e.fault))} on ${site(topology, modules)}, before instruction ${count(e.instret)}`,
        });
        break;
      }
      case 'diverge': {
        const values = divergenceValues(e);
        const sides = { module: e.module, reference: e.reference, field: e.field, expected: values.reference, actual: values.module };
        const sentence = divergenceSentence(sides);
        const report: DivergenceReport = { instret: e.instret, pc: e.pc, ...sides, sentence };
        if (e.first_differed !== undefined && e.first_differed < e.instret) {
          report.firstDiffered = e.first_differed;
          entries.push({
            key: `${key}a`, stage: 'diverged', instret: e.first_differed, modules: [e.module, e.reference], report,
            title: 'Diverged',
            text: `Modules ${e.module} and ${e.reference} first differed at instruction ${count(e.first_differed)} (found by replay); the compare point had not looked yet`,
          });
          entries.push({
            key, stage: 'detected', instret: e.instret, modules: [e.module, e.reference], report, title: 'Detected',
            text: `Detected at instruction ${count(e.instret)} (pc ${hex32(e.pc)}): ${sentence}`,
          });
        } else {
          entries.push({
            key, stage: 'diverged', instret: e.instret, modules: [e.module, e.reference], report, title: 'Diverged and detected',
            text: `Diverged at instruction ${count(e.instret)} (pc ${hex32(e.pc)}): ${sentence}`,
          });
        }
        break;
      }
      case 'miscompare':
        entries.push({
          key, stage: 'detected', instret: e.instret, modules: [e.module, e.reference], title: 'Mismatch reported',
          text: `The ${e.checker} reported module ${e.module} differs from module ${e.reference} at instruction ${count(e.instret)} (pc ${hex32(e.pc)}), but their records are equal: a false alarm`,
        });
        break;
      case 'diagnose':
        entries.push({
          key, stage: 'diagnosed', instret: e.instret, modules: e.modules, title: 'Diagnosed',
          text: `Self-test of ${site(topology, e.modules)} (error ${e.errors}): ${VERDICTS[e.verdict]}` +
            (e.readmit_at !== undefined ? ` at instruction ${count(e.readmit_at)}` : ''),
        });
        break;
      case 'readmit': {
        const group = run((o) => o.kind === 'readmit') as Extract<MachineEvent, { kind: 'readmit' }>[];
        const modules = group.map((g) => g.module);
        entries.push({
          key, stage: 'readmitted', instret: e.instret, modules, title: 'Re-admitted',
          text: `${capital(site(topology, modules))} re-admitted at instruction ${count(e.instret)}; resync begins`,
        });
        break;
      }
      case 'error':
        entries.push({
          key, stage: 'error', instret: e.instret, modules: [e.module], title: 'Error announced',
          text: `Module ${e.module} announced ${article(e.where)} ${e.where} at instruction ${count(e.instret)}`,
        });
        break;
      case 'corrected':
        entries.push({
          key, stage: 'corrected', instret: e.instret, modules: [e.module], title: 'Error corrected', tone: 'good',
          text: `Module ${e.module}'s ECC corrected ${eccBitName(e.bit)} of RAM word ${hex32(e.address)} ` +
            `${e.by === 'scrub' ? 'in a scrubber pass before' : 'when it was read at'} instruction ${count(e.instret)}; it stays in lockstep`,
        });
        break;
      case 'scrub':
        entries.push({
          key, stage: 'scrub', instret: e.instret, modules: [e.module], title: 'Scrubbed',
          text: `A scrubber pass over module ${e.module}'s RAM corrected ${e.corrected} word${e.corrected === 1 ? '' : 's'}` +
            (e.uncorrectable > 0 ? ` and found ${e.uncorrectable} it cannot correct (announced when read)` : ''),
          tone: e.uncorrectable > 0 ? 'warn' : 'good',
        });
        break;
      case 'offline': {
        const group = run((o) => topology === 'pair-spare' && o.kind === 'offline' && boardOf(topology, o.module) === boardOf(topology, e.module)) as Extract<MachineEvent, { kind: 'offline' }>[];
        const modules = group.map((g) => g.module);
        const where = site(topology, modules);
        entries.push({
          key, stage: 'offline', instret: e.instret, modules, title: `${capital(where.replace(/ \(.*/, ''))} offline`,
          text: `${capital(where)} went offline at instruction ${count(e.instret)}: ${OFFLINE_REASONS[e.reason] ?? e.reason}`,
        });
        break;
      }
      case 'failstop':
        entries.push({
          key, stage: 'failstop', instret: e.instret, modules: [], title: 'Fail-stop',
          text: `The machine stopped at instruction ${count(e.instret)}: ${e.reason}`,
        });
        break;
      case 'replace': {
        const group = run((o) => o.kind === 'replace') as Extract<MachineEvent, { kind: 'replace' }>[];
        const modules = group.map((g) => g.module);
        entries.push({
          key, stage: 'replaced', instret: e.instret, modules, title: 'Replaced',
          text: `${capital(site(topology, modules))} replaced at instruction ${count(e.instret)}; resync begins`,
        });
        break;
      }
      case 'resync-round':
        entries.push({
          key, stage: 'resync', instret: e.instret, modules: e.modules, title: `Resync round ${e.round}`,
          text: `Copied ${e.pages} pages (${count(e.bytes)} bytes) from module ${e.source} to ${site(topology, e.modules)} while the machine ran`,
        });
        break;
      case 'resync-done':
        entries.push({
          key, stage: 'resynced', instret: e.instret, modules: e.modules, title: 'Resynced',
          text: `${capital(site(topology, e.modules))} back in lockstep at instruction ${count(e.instret)} ` +
            `(${e.mode}, ${e.rounds} round${e.rounds === 1 ? '' : 's'}, ${count(e.bytes)} bytes, pause of ${count(e.pause_instructions)} cycles)`,
        });
        break;
      case 'halt': {
        const text = e.reason === 'exit'
          ? `The program finished with exit code ${e.exit_code} after instruction ${count(e.instret)}`
          : e.reason === 'failstop' ? `Stopped by fail-stop at instruction ${count(e.instret)}`
          : e.reason === 'trap' ? `Stopped by an unhandled trap at instruction ${count(e.instret)}`
          : e.reason === 'idle' ? `Stopped waiting for an interrupt that cannot come (instruction ${count(e.instret)})`
          : `Stopped: no module is left running (instruction ${count(e.instret)})`;
        entries.push({
          key, stage: 'halted', instret: e.instret, modules: [], title: e.reason === 'exit' ? 'Finished' : 'Stopped', text,
          tone: e.reason === 'exit' ? 'neutral' : 'bad',
        });
        break;
      }
    }
  }
  return entries;
}

/** A bit of a SEC-DED codeword as a `corrected` event numbers it: data bit 0..31, check bits c0..c5 (32..37), overall parity (38). */
function eccBitName(bit: number): string {
  if (bit < 32) return `bit ${bit}`;
  return bit < 38 ? `check bit c${bit - 32}` : 'the parity bit';
}

/** "a" or "an" before a word, by its first letter ("an uncorrectable", "a parity"). */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** The run's outcome as the timeline's last entry (see verdictText); none while it is still being judged. */
export function outcomeEntry(verdict: Verdict, halt: Halt | undefined, instret: number): TimelineEntry | undefined {
  if (verdict.kind === 'pending') return undefined;
  const { title, text, tone } = verdictText(verdict, halt, instret);
  return { key: 'outcome', stage: 'outcome', instret, modules: [], title: verdict.kind === 'judged' ? `Outcome: ${title}` : title, text, tone };
}

/** The line an ARIA live region announces for an entry. */
export function announcement(entry: TimelineEntry): string {
  return `${entry.title}. ${entry.text.replace(/\.$/, '')}.`;
}
