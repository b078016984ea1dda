/**
 * The results file of a campaign (`--out results.jsonl`), JSON Lines: a header line that
 * names the campaign, then one line per finished run (RunRecord), in the order runs finish,
 * each written whole as it finishes. A campaign killed at any moment leaves at most one
 * truncated last line, which a reader drops (and --resume redoes); any other line that is
 * not a run of this campaign makes the file corrupt.
 */
import type { RunRecord } from './engine.ts';
import { InputError } from '../input-error.ts';
import { CAMPAIGN_OUTCOMES } from './outcomes.ts';
import type { ResolvedSpace } from './space.ts';
import type { Ledger } from '../transactions/ledger.ts';

export const RESULTS_FORMAT = 'lockstep-campaign-results';
export const RESULTS_VERSION = 1;

/** What makes a campaign this campaign: runs of equal headers (but for the shard) may be merged. */
export interface CampaignHeader {
  format: typeof RESULTS_FORMAT;
  version: number;
  /** The program as the command line named it, and the SHA-256 of its bytes; absent for a workload's own program. */
  program: { path: string; sha256: string } | null;
  /** A transaction workload's settings (`lockstep run --workload` options). */
  workload: { name: string; duration: string; rate: number | null; fifo: number | null; seed: number } | null;
  topology: string;
  compare: string;
  ram_mib: number;
  seed: number;
  /** Runs of the whole campaign (all shards). */
  runs: number;
  /** The confidence of the margin and of the zero-escape bound (0.95 unless --confidence). */
  confidence: number;
  space: Omit<ResolvedSpace, 'size'>;
  /** Faults every run carries besides its own (--inject), as fault specs; [] for none. */
  background: string[];
  fault_space_size: number;
  reference: { instructions: number; exit_code: number | null; stdout_bytes: number; ledger: Ledger | null };
  /** This file's slice: runs k with k mod count = index − 1. */
  shard: { index: number; count: number };
}

/** A results file that cannot be used; the message names the file and line. */
export class ResultsError extends InputError {
  override name = 'ResultsError';
}

export interface ResultsFile {
  header: CampaignHeader;
  records: RunRecord[];
  /** Bytes of the file up to the end of its last complete line. */
  validBytes: number;
  /** The file ended in a line cut short (a run killed while writing it): it is not counted. */
  truncated: boolean;
}

/** The runs of `shard` in a campaign of `runs` runs, in order. */
export function shardRuns(runs: number, shard: { index: number; count: number }): number[] {
  const ks: number[] = [];
  for (let k = shard.index - 1; k < runs; k += shard.count) ks.push(k);
  return ks;
}

export function formatLine(value: CampaignHeader | RunRecord): string {
  return JSON.stringify(value) + '\n';
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** What is wrong with the numbers of a header that the statistics and the shards rest on, or undefined. */
function checkHeader(header: CampaignHeader): string | undefined {
  if (!isCount(header.runs) || header.runs < 1) return 'runs is not a count of 1 or more';
  if (!(typeof header.confidence === 'number' && header.confidence > 0 && header.confidence < 1)) return 'confidence is not a fraction strictly between 0 and 1';
  if (!isCount(header.fault_space_size) || header.fault_space_size < 1) return 'fault_space_size is not a count of 1 or more';
  const { index, count } = (header.shard ?? {}) as Partial<CampaignHeader['shard']>;
  if (!(isCount(index) && isCount(count) && index >= 1 && index <= count)) return 'shard is not {index, count} with 1 ≤ index ≤ count';
  return undefined;
}

function checkRecord(value: unknown, runs: number): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a run';
  const r = value as Record<string, unknown>;
  if (!isCount(r.k) || (r.k as number) >= runs) return `k is not a run number below ${runs}`;
  if (typeof r.fault !== 'string') return 'fault is not a fault spec';
  if (!(CAMPAIGN_OUTCOMES as readonly unknown[]).includes(r.outcome)) return `unknown outcome ${JSON.stringify(r.outcome)}`;
  if (r.latency !== null && !isCount(r.latency)) return 'latency is not a count or null';
  if (!isCount(r.instructions)) return 'instructions is not a count';
  if (r.ledger !== null && typeof r.ledger !== 'object') return 'ledger is not an object or null';
  if (typeof r.early !== 'boolean') return 'early is not true or false';
  return undefined;
}

/**
 * Reads a results file's text (`name` for messages). Throws ResultsError if the header is
 * missing, not a campaign's or has numbers out of range, or a line before the last is not a
 * run of it.
 */
export function parseResults(text: string, name: string): ResultsFile {
  const complete = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, complete).split('\n');
  lines.pop();
  const truncated = complete < text.length;
  const parse = (line: string, number: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      throw new ResultsError(`${name}: line ${number} is not JSON: the file is corrupt (not a campaign's results, or edited)`);
    }
  };
  if (lines.length === 0) throw new ResultsError(`${name}: no header line: not the results of a lockstep campaign${truncated ? ' (or killed while writing its first line: remove it and start again)' : ''}`);
  const header = parse(lines[0], 1) as CampaignHeader;
  if (header?.format !== RESULTS_FORMAT) throw new ResultsError(`${name}: line 1 is not a campaign header: not the results of a lockstep campaign`);
  if (header.version !== RESULTS_VERSION) throw new ResultsError(`${name}: results format version ${header.version} is not supported (this lockstep reads ${RESULTS_VERSION})`);
  const wrong = checkHeader(header);
  if (wrong) throw new ResultsError(`${name}: line 1: ${wrong}: the file is corrupt`);
  const records: RunRecord[] = [];
  const seen = new Map<number, string>();
  for (let n = 1; n < lines.length; n++) {
    const record = parse(lines[n], n + 1) as RunRecord;
    const problem = checkRecord(record, header.runs);
    if (problem) throw new ResultsError(`${name}: line ${n + 1}: ${problem}: the file is corrupt`);
    if ((record.k % header.shard.count) + 1 !== header.shard.index) throw new ResultsError(`${name}: line ${n + 1}: run ${record.k} is not in shard ${header.shard.index}/${header.shard.count}: the file is corrupt`);
    const again = seen.get(record.k);
    if (again !== undefined && again !== lines[n]) throw new ResultsError(`${name}: line ${n + 1}: run ${record.k} appears twice with different results: the file is corrupt`);
    if (again === undefined) records.push(record);
    seen.set(record.k, lines[n]);
  }
  return { header, records, validBytes: new TextEncoder().encode(text.slice(0, complete)).length, truncated };
}

/** The first field in which two campaign headers differ (the shard aside), or undefined. */
export function headerDifference(a: CampaignHeader, b: CampaignHeader): string | undefined {
  const fields = Object.keys({ ...a, ...b }).filter((key) => key !== 'shard') as (keyof CampaignHeader)[];
  return fields.find((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}
