/**
 * How a run ended, in words for a student: the session's verdict (src/worker/session.ts)
 * in DESIGN §6's terms, what it rests on (the fault-free run's exit code and output, the
 * first differing output byte), and a scenario's expectation checked against it.
 */
import type { Halt } from '../../src/machine/events.ts';
import type { Outcome, OutputDifference } from '../../src/fault/classify.ts';
import { HANG_FACTOR } from '../../src/fault/classify.ts';
import type { Verdict } from '../../src/worker/session.ts';
import type { Expectation, ExpectationCheck } from '../../src/scenario/expect.ts';
import { count } from './format.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

/** DESIGN §6's outcomes as the page names them. */
export const OUTCOME_NAMES: Record<Outcome, string> = {
  masked: 'Masked', recovered: 'Recovered', failstop: 'Fail-stop', sdc: 'Silent data corruption', hang: 'Hang', crash: 'Crash',
  'not-activated': 'Not activated',
};

/** Masked and recovered are what fault tolerance is for; a fail-stop lost no output but did not finish; the rest are failures. */
export const OUTCOME_TONES: Record<Outcome, Tone> = {
  masked: 'good', recovered: 'good', failstop: 'warn', sdc: 'bad', hang: 'bad', crash: 'bad', 'not-activated': 'neutral',
};

export interface VerdictText {
  title: string;
  /** One or two sentences: what happened, against what. */
  text: string;
  tone: Tone;
}

/** "0x43 'C'", "0x0a (newline)", "0xc3". */
function byteText(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  if (byte === 0x0A) return `${hex} (newline)`;
  if (byte === 0x20) return `${hex} (space)`;
  return byte > 0x20 && byte < 0x7F ? `${hex} '${String.fromCharCode(byte)}'` : hex;
}

/** "at byte 3 (line 2, column 1): 0x43 'C' where the fault-free run printed 0x41 'A'". */
export function differenceText(d: OutputDifference & { line?: number; column?: number }, other = 'the fault-free run'): string {
  const where = `at byte ${count(d.offset)}${d.line !== undefined ? ` (line ${d.line}, column ${d.column})` : ''}`;
  if (d.actual === undefined) return `${where}: the output ends where ${other} goes on with ${byteText(d.expected!)}`;
  if (d.expected === undefined) return `${where}: ${byteText(d.actual)} printed where ${other}'s output ends`;
  return `${where}: ${byteText(d.actual)} where ${other} printed ${byteText(d.expected)}`;
}

/** How the machine stopped, without the guest's own word for it ("passed" is not a verdict). */
export function haltText(halt: Halt): string {
  return halt.reason === 'exit' ? `exit code ${halt.exitCode}` : halt.message;
}

export function verdictText(verdict: Verdict, halt: Halt | undefined, instret: number): VerdictText {
  switch (verdict.kind) {
    case 'pending':
      return {
        title: 'Judging…', tone: 'neutral',
        text: `Running the same program without faults to compare with (${count(verdict.referenceInstret)} instructions so far).`,
      };
    case 'unjudged':
      return { title: 'No verdict', tone: 'neutral', text: `Nothing to judge this run against: ${verdict.reason}.` };
    case 'fault-free': {
      const late = verdict.notApplied.length > 0
        ? ` The fault${verdict.notApplied.length === 1 ? '' : 's'} ${verdict.notApplied.join('; ')} came after the end: not activated.`
        : '';
      const ok = halt?.reason === 'exit' && halt.exitCode === 0;
      return {
        title: 'No fault applied', tone: ok ? 'neutral' : 'bad',
        text: `The program ended (${halt ? haltText(halt) : 'still running'}) after ${count(instret)} instructions without any fault: this is the fault-free run.${late}`,
      };
    }
    case 'judged': {
      const ref = verdict.reference;
      const refWords = `the fault-free run (exit code ${ref.exitCode}, ${count(ref.outputBytes)} bytes of output, ${count(ref.instret)} instructions)`;
      const differs = verdict.difference ? ` Its output differs from the fault-free run's ${differenceText(verdict.difference)}.` : '';
      const texts: Record<Outcome, string> = {
        masked: `No error reached the output: it is exactly that of ${refWords}, and nothing was detected.`,
        recovered: `The error was detected, then corrected (memory ECC) or isolated (the faulty part taken offline); the machine went on, and its output is exactly that of ${refWords}.`,
        failstop: `The machine detected an error it could not isolate and stopped rather than risk a wrong output.${differs}`,
        sdc: `The machine finished (${halt ? haltText(halt) : ''}) without noticing anything, but its output is wrong.${differs}`,
        hang: `It did not finish within ${HANG_FACTOR} × the ${count(ref.instret)} instructions of ${refWords}: stopped at ${count(instret)}.${differs}`,
        'not-activated': `No fault took effect (each was aimed at a module that was offline or resyncing, or came after the end): nothing was tested. The output is compared with ${refWords}.${differs}`,
        crash: `${halt?.reason === 'exit' ? `It exited with code ${halt.exitCode} where the fault-free run exits ${ref.exitCode}` : `It stopped: ${halt ? haltText(halt) : 'unknown'}`}.${differs}`,
      };
      return { title: OUTCOME_NAMES[verdict.outcome], tone: OUTCOME_TONES[verdict.outcome], text: texts[verdict.outcome] };
    }
  }
}

/** What a lesson expects of the run, before it ends: "the outcome recovered and an output of 72 bytes". */
export function expectText(expect: Expectation): string | undefined {
  const parts = [
    ...(expect.outcome ? [`the outcome ${OUTCOME_NAMES[expect.outcome].toLowerCase()}`] : []),
    ...(expect.output !== undefined ? [`an output of ${count(new TextEncoder().encode(expect.output).length)} bytes`] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** The lesson's expectations, one line each: whether this run met them. */
export function expectationLines(check: ExpectationCheck): { ok: boolean; text: string }[] {
  const lines: { ok: boolean; text: string }[] = [];
  if (check.outcome) {
    const { ok, expected, actual } = check.outcome;
    lines.push({
      ok,
      text: ok ? `Outcome ${OUTCOME_NAMES[expected].toLowerCase()}, as the lesson expects`
        : `The lesson expects the outcome ${OUTCOME_NAMES[expected].toLowerCase()}, but this run ${actual ? `was ${OUTCOME_NAMES[actual].toLowerCase()}` : 'had no fault applied'}`,
    });
  }
  if (check.output) {
    lines.push({
      ok: check.output.ok,
      text: check.output.ok ? 'Output exactly as the lesson expects'
        : `The output differs from the lesson's expected output ${differenceText(check.output.difference!, 'the lesson')}`,
    });
  }
  return lines;
}
