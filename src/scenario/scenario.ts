/**
 * Scenario files (DESIGN §9): a program, a machine, a fault plan and page settings in one
 * JSON document, for lessons and for the embed page (`embed.html?scenario=URL` or
 * `#scenario=<base64url JSON>`). The zod schema below is the one source of truth: the
 * TypeScript type, the runtime validation and the published JSON Schema
 * (`dist/scenario.schema.json`, written at build time) all come from it.
 */
import { z } from 'zod';
import { TOPOLOGIES, CROSS_CHECKS } from '../machine/topology.ts';
import { READMIT_POLICIES } from '../machine/diagnosis.ts';
import { checkEccSettings, ECC_MODES, type EccMode } from '../machine/ecc.ts';
import { parseFault, FaultSpecError } from '../fault/spec.ts';
import { WORKLOADS } from '../transactions/workloads/index.ts';
import { parseDuration } from '../transactions/time.ts';
import { MAX_RATE } from '../transactions/arrivals.ts';
import { DEFAULT_WORKLOAD_DURATION } from '../transactions/settings.ts';
import { LEDGER_EXPECTATION_FIELDS } from './ledger-expectation.ts';
import { OUTCOMES } from '../fault/classify.ts';
import { AvailabilityScenario } from './availability.ts';
import { FailoverScenario, failoverOptionsOf } from './failover.ts';
import { SYSTEM_TOPOLOGIES, failoverSettings, isSystemTopology } from '../system/settings.ts';
import { InputError } from '../input-error.ts';

export const SCENARIO_VERSION = 1;

/** A fault in DESIGN §5 text; `at` is required here, since a scenario starts at instruction 0. */
const FaultText = z.string().superRefine((text, ctx) => {
  try {
    parseFault(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof FaultSpecError ? error.message : String(error) });
  }
}).describe("A fault as DESIGN §5 writes it, e.g. 'at=5000,module=1,kind=flip,target=x5,bit=3'");

const Replacement = z.union([
  z.strictObject({ at: z.number().int().nonnegative(), module: z.number().int().nonnegative() }),
  z.strictObject({ at: z.number().int().nonnegative(), board: z.number().int().nonnegative() }),
]).describe('Replace an offline module (or every module of a board) at instruction `at`, then resync it');

const Program = z.union([
  z.strictObject({
    source: z.string().describe('RV32IM assembly source'),
    name: z.string().optional().describe('File name shown in diagnostics (default program.s)'),
  }),
  z.strictObject({ example: z.string().describe('One of the examples the page ships (count, ledger, hello, checksum, int-mix, memory, card-auth, telco-hlr, process-control, card-auth-pair, telco-hlr-pair, process-control-pair)') }),
  z.strictObject({
    url: z.string().describe('An ELF, .s or .bin file, relative to the scenario (or the page)'),
    name: z.string().optional(),
  }),
  z.strictObject({
    base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text').describe('An ELF or flat binary, in base64'),
    name: z.string().describe('Its file name: .bin loads it flat, anything else as ELF'),
  }),
]).describe('The program: assembly source, a shipped example, a file to fetch, or a binary inline');

const Machine = z.strictObject({
  topology: z.enum([...TOPOLOGIES, ...SYSTEM_TOPOLOGIES]).default('pair-spare')
    .describe('A lockstep machine (simplex, dmr, pair-spare, tmr), or a failover system of two simplex hosts (cluster, process-pair), which runs transaction workloads only'),
  compare: z.enum(['every', 'store', 'io']).default('every')
    .describe('Compare point: after every instruction, at stores and I/O, or at I/O only (lockstep machines)'),
  ramMiB: z.number().int().min(1).max(64).default(1),
  resync: z.enum(['precopy', 'stop-copy']).default('precopy'),
  repairAfter: z.number().int().nonnegative().optional()
    .describe('Replace an offline module automatically this many instructions after it went offline (only modules not re-admitted)'),
  readmit: z.enum(READMIT_POLICIES).optional()
    .describe("Re-admit a module taken offline when its self-test finds only transient faults ('transient'), or never (the default)"),
  diagnoseTime: z.number().int().nonnegative().optional()
    .describe('Instructions from going offline to re-admission (default 10000)'),
  threshold: z.strictObject({
    errors: z.number().int().min(1).describe('K'),
    within: z.number().int().min(1).describe('N, in instructions'),
  }).optional().describe('Retire a module for good after K errors within N instructions (with readmit transient)'),
  crossCheck: z.enum(CROSS_CHECKS).optional()
    .describe("pair-spare: compare each board's two CPUs only ('within', the default, as Stratus does) or the boards with each other too ('boards')"),
  ecc: z.enum(ECC_MODES as [EccMode, ...EccMode[]]).default('none')
    .describe("The RAM's error-correcting code: none, or secded (a Hamming code that corrects one flipped bit in a word and detects two)"),
  scrubEvery: z.number().int().min(1).optional()
    .describe('With ecc secded: a scrubber pass over RAM every this many instructions, correcting single-bit errors before they pair up'),
  failover: FailoverScenario.optional(),
}).superRefine((machine, ctx) => {
  // ecc is one of ECC_MODES and scrubEvery a whole number ≥ 1 already: what is left to refuse is the scrubber.
  try {
    checkEccSettings(machine.ecc, machine.scrubEvery);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    ctx.addIssue({ code: 'custom', path: ['scrubEvery'], message: error.message });
  }
});

const Speed = z.union([z.number().min(1).max(1e9), z.literal('max')])
  .describe("Instructions per second when running, or 'max' for flat out");

/**
 * Instructions per second a page runs at until the reader or the scenario picks another
 * speed: slow enough to watch the count example (about 400,000 instructions) print a line
 * every few seconds and to click on a module before it ends; flat out is one click away.
 */
export const DEFAULT_SPEED = 5_000;

/** The most instructions one step may execute: a step cannot be interrupted, so longer runs use Run. */
export const MAX_STEP_N = 10_000_000;

const Settings = z.strictObject({
  speed: Speed.default(DEFAULT_SPEED),
  autorun: z.boolean().default(false).describe('Start running as soon as the page has loaded'),
  stepN: z.number().int().min(1).max(MAX_STEP_N).default(100).describe('What the step-N button steps'),
  theme: z.enum(['light', 'dark', 'auto']).default('auto'),
});

const Workload = z.strictObject({
  name: z.enum([...WORKLOADS.keys()] as [string, ...string[]]).describe('The transaction workload (its program is examples/<name>.s unless `program` gives another)'),
  rate: z.number().positive().max(MAX_RATE).optional()
    .describe('Transactions per virtual second (default 1000; process-control: one every 1 s / rate instead of its own period)'),
  duration: z.string().regex(/^\d+(\.\d+)?(s|ms|us|µs)$/, 'a virtual time: a number and a unit, e.g. 2s, 500ms or 250us').superRefine((text, ctx) => {
    try {
      parseDuration(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }).default(DEFAULT_WORKLOAD_DURATION).describe("Virtual time the run lasts, e.g. '2s', '500ms', '250us'"),
  seed: z.number().int().min(0).max(0xFFFF_FFFF).optional().describe('Seed of the arrival times and payloads (default 1)'),
  fifo: z.number().int().min(1).max(1024).optional().describe('Input FIFO depth in records (default 64)'),
}).describe('Run the program as a transaction workload: arrivals on the virtual clock, judged by the ledger; as `lockstep run --workload`');

const LedgerBound = z.union([
  z.number().nonnegative(),
  z.strictObject({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() })
    .refine((b) => b.min !== undefined || b.max !== undefined, 'give min, max or both')
    .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, 'min must not be above max'),
]).describe('Exactly this value, or a range { min, max } (either bound may be left out)');

const LedgerExpectation = z.strictObject(
  Object.fromEntries(LEDGER_EXPECTATION_FIELDS.map((field) => [field, LedgerBound.optional()])) as Record<typeof LEDGER_EXPECTATION_FIELDS[number], z.ZodOptional<typeof LedgerBound>>,
).describe('What the ledger must say at the end of the run (any subset of its counts and downtime_us), e.g. { "wrong": 0, "lost": 0, "correct": { "min": 1 } }');

const Expect = z.strictObject({
  output: z.string().optional().describe("The program's console output"),
  outcome: z.enum(OUTCOMES).optional().describe('How the run ends, judged against the fault-free run (DESIGN §6)'),
  ledger: LedgerExpectation.optional(),
}).describe('Checked when the run ends, and shown to the student');

const ScenarioBase = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(SCENARIO_VERSION).default(SCENARIO_VERSION),
  title: z.string().max(200).optional(),
  description: z.string().max(4000).optional().describe('Shown above the machine (plain text)'),
  program: Program,
  machine: Machine.default({ topology: 'pair-spare', compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none' }),
  faults: z.array(FaultText).max(64).default([]),
  replacements: z.array(Replacement).max(64).default([]),
  settings: Settings.default({ speed: DEFAULT_SPEED, autorun: false, stepN: 100, theme: 'auto' }),
  workload: Workload.optional(),
  expect: Expect.optional(),
  availability: AvailabilityScenario.optional(),
});

export const ScenarioSchema = ScenarioBase.superRefine((scenario, ctx) => {
  if (scenario.expect?.ledger && !scenario.workload) ctx.addIssue({ code: 'custom', path: ['expect', 'ledger'], message: 'a ledger needs a workload: add workload: { name, … }' });
  checkFailover(scenario, ctx);
  if (!scenario.workload) {
    scenario.faults.forEach((text, k) => {
      if (isTimed(text)) {
        ctx.addIssue({ code: 'custom', path: ['faults', k], message: `fault '${text}' is at a virtual time: only a transaction workload has a clock to schedule it on (add workload: { name, … }, or give an instruction number at=N)` });
      }
    });
  }
  for (const key of ['diagnoseTime', 'threshold'] as const) {
    if (scenario.machine[key] !== undefined && scenario.machine.readmit !== 'transient') {
      ctx.addIssue({ code: 'custom', path: ['machine', key], message: `${key} applies to re-admitted modules: add readmit: "transient"` });
    }
  }
}).describe('A Lockstep Lab scenario: program, machine, fault plan and page settings');

/** A valid fault spec at a virtual time (`at=5ms`); an invalid one has its own issue. */
function isTimed(text: string): boolean {
  try {
    return parseFault(text).atUs !== undefined;
  } catch {
    return false;
  }
}

/**
 * A failover system (cluster, process-pair) runs transaction workloads, is not repaired,
 * and takes the settings `lockstep run --topology cluster|process-pair` takes: the same
 * checks, with the path of the setting that breaks them.
 */
function checkFailover(scenario: z.output<typeof ScenarioBase>, ctx: z.RefinementCtx): void {
  const { topology, failover, repairAfter, readmit, crossCheck } = scenario.machine;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!isSystemTopology(topology)) {
    if (failover) issue(['machine', 'failover'], `failover settings apply to a cluster or a process pair, not ${topology}: set machine.topology to cluster or process-pair`);
    return;
  }
  if (!scenario.workload) issue(['machine', 'topology'], `a ${topology} runs transaction workloads: add workload: { name, … } (e.g. card-auth)`);
  if (repairAfter !== undefined) issue(['machine', 'repairAfter'], `the hosts of a ${topology} are not repaired: repairAfter is for dmr, pair-spare and tmr`);
  if (readmit !== undefined) issue(['machine', 'readmit'], `the hosts of a ${topology} are not re-admitted: readmit is for dmr, pair-spare and tmr`);
  if (crossCheck !== undefined) issue(['machine', 'crossCheck'], `the hosts of a ${topology} are simplex machines, not checked against each other: crossCheck is for pair-spare`);
  if (scenario.replacements.length > 0) issue(['replacements'], `the hosts of a ${topology} are not replaced: replacements are for dmr, pair-spare and tmr`);
  if (topology === 'process-pair' && failover?.checkpointEvery !== undefined) {
    issue(['machine', 'failover', 'checkpointEvery'], 'checkpointEvery applies to the cluster: a process pair checkpoints when its application says so (a pair-aware workload)');
    return;
  }
  try {
    failoverSettings(topology, failover ? failoverOptionsOf(failover) : {});
  } catch (error) {
    issue(['machine', 'failover'], (error as Error).message);
  }
}

/** A validated scenario, defaults filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** What a scenario file may contain (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; error: string };

/** Validates a parsed JSON value; the error names each problem with its path. */
export function validateScenario(value: unknown): ScenarioResult {
  const parsed = ScenarioSchema.safeParse(value);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  const lines = parsed.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(scenario)';
    return `${path}: ${issue.message}`;
  });
  return { ok: false, error: `invalid scenario:\n${lines.join('\n')}` };
}

/** Parses scenario JSON text; bad JSON and bad content both come back as one readable error. */
export function parseScenario(text: string): ScenarioResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the scenario is not valid JSON: ${(error as Error).message}` };
  }
  return validateScenario(value);
}

/** The published JSON Schema (draft 2020-12) of a scenario file as people write it. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ScenarioSchema, { io: 'input' }),
    $id: 'scenario.schema.json',
    title: 'Lockstep Lab scenario',
  };
}

// ── base64url (RFC 4648 §5, no padding) of the UTF-8 JSON, for `#scenario=` ──────────

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Decodes base64url (padding and standard '+/' accepted); throws InputError on bad input. */
export function decodeBase64Url(text: string): Uint8Array {
  const clean = text.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (clean.length % 4 === 1) throw new InputError('base64url text has an impossible length');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new InputError(`'${ch}' is not a base64url character`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xFF);
    }
  }
  return Uint8Array.from(out);
}

/** `#scenario=` text for a scenario (or any JSON value). */
export function encodeScenarioHash(scenario: ScenarioInput): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(scenario)));
}

/** Parses the base64url JSON of `#scenario=`. */
export function decodeScenarioHash(text: string): ScenarioResult {
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(decodeURIComponent(text)));
  } catch (error) {
    return { ok: false, error: `#scenario= is not base64url-encoded UTF-8 JSON: ${(error as Error).message}` };
  }
  return parseScenario(json);
}
