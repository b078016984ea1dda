/**
 * The `--classify` verdict as one line for people: the outcome's name (DESIGN §6) and the
 * evidence for it, e.g. `outcome: sdc — output differs from the fault-free run at byte 0:
 * 0x29, expected 0x2a`. Output bytes are numbered from 0.
 */
import { HANG_FACTOR, firstDifference, type Outcome } from '../fault/classify.ts';
import type { InactiveFault } from '../machine/events.ts';
import type { Halt, MachineEvent } from '../machine/events.ts';
import { isDetection } from '../machine/events.ts';
import { count } from './format.ts';

export interface ClassifiedRun {
  halt?: Halt;
  output: Uint8Array;
  events: readonly MachineEvent[];
  instret: number;
  /** Faults of the plan that took no effect (Machine.notActivated()). */
  notActivated?: readonly InactiveFault[];
}

const byte = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;

/** Where `output` first differs from `expected`, in words; undefined if they are equal. */
function outputDifference(output: Uint8Array, expected: Uint8Array): string | undefined {
  const d = firstDifference(expected, output);
  if (!d) return undefined;
  const got = d.actual !== undefined ? byte(d.actual) : 'the output ends there';
  const want = d.expected !== undefined ? byte(d.expected) : 'the end of the output';
  return `output differs from the fault-free run at byte ${d.offset}: ${got}, expected ${want}`;
}

/** One line: `outcome: NAME — why`. `reference` must have exited (classify's precondition). */
export function describeOutcome(outcome: Outcome, reference: ClassifiedRun, faulty: ClassifiedRun): string {
  const detected = faulty.events.find(isDetection);
  const offline = faulty.events.flatMap((e) => (e.kind === 'offline' && e.reason !== 'removed' ? [e.module] : []));
  const why = ((): string => {
    switch (outcome) {
      case 'masked':
        return 'nothing was detected, and the output and exit code are the fault-free run\'s';
      case 'recovered': {
        const corrected = faulty.events.filter((e) => e.kind === 'corrected').length;
        const isolated = [
          ...(offline.length === 0 ? [] : [`module${offline.length > 1 ? 's' : ''} ${offline.join(', ')} taken offline`]),
          ...(corrected === 0 ? [] : [`${corrected} memory error${corrected > 1 ? 's' : ''} corrected by ECC`]),
        ].map((what) => `, ${what}`).join('');
        return `detected at instruction ${count(detected!.instret)}${isolated}; the output and exit code are the fault-free run's`;
      }
      case 'failstop':
        return `detected at instruction ${count(detected?.instret ?? faulty.instret)}; the machine stopped rather than go on with a module it cannot trust`;
      case 'sdc':
        return outputDifference(faulty.output, reference.output)!;
      case 'hang':
        return faulty.halt?.reason === 'idle'
          ? faulty.halt.message
          : `still running after ${count(faulty.instret)} instructions, ${HANG_FACTOR}× the fault-free run's ${count(reference.instret)}`;
      case 'not-activated': {
        const faults = faulty.notActivated ?? [];
        return `no fault took effect (${faults.map((f) => `${f.fault}: ${f.reason}`).join('; ')}): nothing was tested`;
      }
      case 'crash': {
        const halt = faulty.halt!;
        if (halt.reason === 'exit') return `exit code ${halt.exitCode}, expected ${reference.halt!.exitCode} (the fault-free run's)`;
        return halt.message;
      }
    }
  })();
  return `outcome: ${outcome} — ${why}`;
}
