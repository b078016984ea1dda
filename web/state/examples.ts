/**
 * The example programs the page offers (and scenarios name with `program.example`). The
 * repository's own examples are imported as text at build time.
 */
import hello from '../../examples/hello.s?raw';
import intMix from '../../examples/bench/int-mix.s?raw';
import memory from '../../examples/bench/memory.s?raw';
import checksum from '../../examples/checksum.s?raw';
import countSource from '../../examples/count.s?raw';
import ledger from '../../examples/ledger.s?raw';
import cardAuth from '../../examples/card-auth.s?raw';
import telcoHlr from '../../examples/telco-hlr.s?raw';
import processControl from '../../examples/process-control.s?raw';
import cardAuthPair from '../../examples/card-auth-pair.s?raw';
import telcoHlrPair from '../../examples/telco-hlr-pair.s?raw';
import processControlPair from '../../examples/process-control-pair.s?raw';

export interface Example {
  id: string;
  title: string;
  /** File name shown in diagnostics. */
  file: string;
  source: string;
  /** A transaction workload's program: choosing it runs that workload (src/transactions/workloads). */
  workload?: string;
}

export const EXAMPLES: readonly Example[] = [
  { id: 'count', title: 'Count to 20 (slow enough to watch)', file: 'count.s', source: countSource },
  { id: 'ledger', title: 'Bank ledger (16 transactions, printed balances)', file: 'ledger.s', source: ledger },
  { id: 'hello', title: 'Hello, world (UART)', file: 'hello.s', source: hello },
  { id: 'checksum', title: 'Checksum of a table (loads, stores, multiplies)', file: 'checksum.s', source: checksum },
  { id: 'int-mix', title: 'Integer mix benchmark (120 M instructions)', file: 'int-mix.s', source: intMix },
  { id: 'memory', title: 'Memory benchmark (108 M instructions)', file: 'memory.s', source: memory },
  { id: 'card-auth', title: 'Transactions: card authorisation (balances, credit limits)', file: 'card-auth.s', source: cardAuth, workload: 'card-auth' },
  { id: 'telco-hlr', title: 'Transactions: telco subscriber database (HLR)', file: 'telco-hlr.s', source: telcoHlr, workload: 'telco-hlr' },
  { id: 'process-control', title: 'Transactions: process control (PID loop, deadlines)', file: 'process-control.s', source: processControl, workload: 'process-control' },
  { id: 'card-auth-pair', title: 'Transactions: card authorisation, pair-aware (checkpoints each account)', file: 'card-auth-pair.s', source: cardAuthPair, workload: 'card-auth-pair' },
  { id: 'telco-hlr-pair', title: 'Transactions: telco HLR, pair-aware (checkpoints each subscriber)', file: 'telco-hlr-pair.s', source: telcoHlrPair, workload: 'telco-hlr-pair' },
  { id: 'process-control-pair', title: 'Transactions: process control, pair-aware (checkpoints the state)', file: 'process-control-pair.s', source: processControlPair, workload: 'process-control-pair' },
];

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}

/** The shipped example a program is, unchanged: its file name and its source. */
export function exampleOf(name: string, source: string): Example | undefined {
  return EXAMPLES.find((e) => e.file === name && e.source === source);
}
