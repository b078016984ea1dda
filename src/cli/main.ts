/**
 * The `lockstep` command. Every subcommand returns its exit status; errors print one clear
 * line and return the status errors.ts documents.
 */
import { Command, CommanderError, Option } from 'commander';
import { runCommand } from './run.ts';
import { asmCommand, disasmCommand } from './asm.ts';
import { benchCommand } from './bench.ts';
import { demoCommand } from './demo.ts';
import { addAvailabilityCommand } from './availability.ts';
import { addCompareCommand } from './compare.ts';
import { addLessonCommands } from './lesson.ts';
import { campaignCommand, mergeCommand, DEFAULT_KINDS, DEFAULT_RUNS, DEFAULT_TARGETS } from './campaign.ts';
import { reportError, exitStatusHelp, EXIT_USAGE, UsageError } from './errors.ts';
import { err, out } from './io.ts';
import { FAULT_KINDS, MODULE_FAULT_KINDS, type FaultKind } from '../fault/spec.ts';
import { TOPOLOGIES } from '../machine/topology.ts';
import { DEFAULT_ENGINE } from '../machine/core.ts';
import { DEFAULT_FAILOVER, SYSTEM_TOPOLOGIES } from '../system/settings.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

const KIND_HELP: Record<FaultKind, string> = {
  flip: 'a transient upset: the bit flips once',
  stuck0: 'the bit is forced to 0 after every write (permanent)',
  stuck1: 'the bit is forced to 1 after every write (permanent)',
  kill: 'the module dies (no target=, no bit=)',
  ecc: 'an uncorrectable error the module detects when the word or register is next read, and announces',
  'stuck-agree': "a checker's verdict on board=B stuck at agree: it hides the next divergence (no bit=)",
  'stuck-disagree': "a checker's verdict on board=B stuck at disagree: it reports a mismatch where there is none",
};

const FAULT_HELP = [
  'Faults (--inject): at=N,module=M,kind=K,target=T,bit=B, applied just before instruction N',
  '(instructions count from 0); board=B instead of module=M on pair-spare (board b holds',
  'modules 2b and 2b+1); module=all for the same fault on every module (common-mode).',
  '  kinds:',
  ...FAULT_KINDS.map((kind) => `    ${kind.padEnd(15)}${KIND_HELP[kind]}`),
  '  targets:',
  '    x1..x31    a register, or its ABI name (ra, sp, t0, s2, a0, ...)',
  '    pc         the program counter (bits 2..31)',
  '    CSR name   mepc, mstatus, mtvec, mcycle, ... (flip: any CSR with state; stuck: one with a register)',
  '    mem:ADDR   a word of RAM, e.g. mem:0x80001000 (word-aligned)',
  '    result     the value the next instruction writes (or stores)',
  '    comparator the comparator of dmr, or of pair-spare board B (stuck-agree, stuck-disagree)',
  '    voter      the voter of tmr, its verdict on module B (stuck-agree, stuck-disagree)',
  '  bit:         0..31, or several bits at once (a multi-bit upset) joined by +, e.g. 3+17',
  'With --workload, at= may be a virtual time instead (at=500ms): the fault applies to the',
  'next instruction after the clock reaches it. On cluster and process-pair, module=0 is the',
  'primary host and module=1 the standby (backup); at= counts the serving host\'s instructions.',
  'Examples: --inject at=300,module=1,kind=flip,target=s2,bit=12',
  '          --inject at=0,board=0,kind=stuck-agree,target=comparator',
].join('\n');

function program(setStatus: (status: number) => void, traceFile: string | undefined): Command {
  const cli = new Command('lockstep')
    .description('Lockstep Lab: lockstep RISC-V machines you can break on purpose')
    .version('0.1.0')
    // Every byte goes through io.ts, so a full disk or a closed pipe is reported as such. A
    // usage error is one line, like every other bad input (errors.ts); Commander's message
    // may span lines ("(Did you mean run?)").
    .configureOutput({
      writeOut: out,
      writeErr: err,
      outputError: (text, write) => write(`lockstep: ${text.trim().replace(/\s*\n\s*/g, ' ')} (run lockstep --help for usage)\n`),
    })
    .addHelpText('after', `\n${exitStatusHelp('run')}`)
    // A subcommand's options are its own even where a parent has one of the same name
    // (`campaign merge --summary F`): Commander needs this on every ancestor.
    .enablePositionalOptions()
    .exitOverride();

  cli.command('run')
    .description('run a program (ELF, assembly .s, or flat binary .bin) on a machine')
    .argument('[program]', "the program file (with --workload: instead of the workload's own)")
    .allowExcessArguments()
    .option('--topology <name>', `the machine: ${TOPOLOGIES.join(', ')}; with --workload also the failover systems ${SYSTEM_TOPOLOGIES.join(', ')}`, 'simplex')
    // No defaults in Commander for the lockstep options: a failover system refuses them when given (workload-run.ts).
    .option('--compare <point>', 'compare point: every, store or io (default every)')
    .option('--ram <MiB>', 'guest RAM per module in MiB (1..64)', '1')
    .option('--max-instructions <n>', 'stop with exit status 124 after n instructions')
    .option('--inject <spec>', "schedule a fault, e.g. 'at=5000,module=1,kind=flip,target=x5,bit=3' (repeatable; see below)", collect, [])
    .option('--replace <spec>', "replace a module or a pair-spare board: 'at=N,module=M' or 'at=N,board=B' (repeatable)", collect, [])
    .option('--repair-after <n>', 'replace an offline module automatically n instructions after it went offline (not on simplex)')
    .option('--resync <mode>', 'how a replacement is brought into lockstep: stop-copy or precopy (default precopy)')
    .option('--readmit <policy>', 're-admit a module taken offline whose self-test finds only transient faults: never or transient (default never)')
    .option('--diagnose-time <n>', 'with --readmit transient: instructions from going offline to re-admission (default 10000)')
    .option('--threshold <K/N>', 'with --readmit transient: retire a module for good after K errors within N instructions')
    .option('--cross-check <scope>', 'pair-spare: compare each board\'s CPUs only (within, as Stratus does, the default) or the boards too (boards)')
    .option('--ecc <code>', "the RAM's error-correcting code: none, or secded (corrects one flipped bit in a word, detects two)", 'none')
    .option('--scrub-every <n>', 'with --ecc secded: a scrubber pass over RAM every n instructions (each pass stalls the machine for RAM bytes / 8 cycles)')
    .option('--engine <name>', 'how the core runs guest code: translate (hot code compiled to WebAssembly and run on the modules while they hold the same state; the rest interpreted) or interp (the interpreter alone)', DEFAULT_ENGINE)
    .option('--classify', 'also run the fault-free reference, and print the outcome on stderr')
    .option('--trace [file]', 'one line per retired instruction (Spike commit-log format) on stderr, or with --trace=FILE to FILE')
    .option('--report <file>', 'write a JSON report of the run (at the end, in one piece)')
    .addOption(new Option('--format <kind>', 'how to read the program (default: by file name)').choices(['elf', 'asm', 'bin']))
    .option('--workload <name>', 'run a transaction workload for --duration of virtual time and print its ledger')
    .option('--rate <r>', 'with --workload: transactions per virtual second (default 1000; periodic workloads: their own period)')
    .option('--duration <time>', 'with --workload: virtual time the run lasts, e.g. 2s, 500ms, 250us (default 1s)')
    .option('--fifo <n>', 'with --workload: depth of the input FIFO, 1..1024 (default 64)')
    .option('--seed <s>', 'with --workload: seed of the arrivals and payloads (default 1)')
    .option('--arrivals <file>', 'with --workload: replay arrivals from a trace file of TIME_US,W0[,W1[,W2[,W3]]] lines')
    .option('--checkpoint-every <n>', `cluster: copy the primary's state to the standby every n instructions (default ${DEFAULT_FAILOVER.checkpointEvery.toLocaleString('en-US')})`)
    .option('--heartbeat <time>', `cluster, process-pair: heartbeat period, virtual time (default ${DEFAULT_FAILOVER.heartbeatUs / 1000}ms)`)
    .option('--missed <n>', `cluster, process-pair: missed heartbeats before the standby declares the primary dead (default ${DEFAULT_FAILOVER.missed})`)
    .option('--failover-time <time>', `cluster, process-pair: from that declaration to the standby's first instruction (default ${DEFAULT_FAILOVER.failoverTimeUs / 1000}ms)`)
    .option('--cluster-aware [mode]', 'cluster: the application logs its input and the receiver drops duplicate results (dedupe, the default), or the log is replayed without de-duplication (replay)')
    .addHelpText('after', `\n${FAULT_HELP}\n\n${exitStatusHelp('run')}`)
    .action(async (path: string | undefined, options, command: Command) => {
      if (command.args.length > 1) {
        if (traceFile !== undefined && command.args.includes(traceFile)) {
          throw new UsageError(`run takes one program, and --trace takes a file only as --trace=FILE: to trace into ${traceFile}, write --trace=${traceFile}`);
        }
        throw new UsageError(`run takes one program, but got ${command.args.length}: ${command.args.map((a) => `'${a}'`).join(', ')}`);
      }
      setStatus(await runCommand(path, options));
    });

  cli.command('asm')
    .description('assemble a RISC-V source file into an ELF executable')
    .argument('<source>', 'the assembly file (.s)')
    .option('-o, --output <file>', 'the ELF file to write (default: the source name with .elf)')
    .option('--text-base <addr>', 'address of .text (default 0x80000000)')
    .option('--data-base <addr>', 'address of .data (default: the page after .text)')
    .addHelpText('after', `\n${exitStatusHelp('other')}`)
    .action((path, options) => setStatus(asmCommand(path, options)));

  cli.command('disasm')
    .description('disassemble an ELF executable, objdump style')
    .argument('<elf>', 'the ELF file')
    .addHelpText('after', `\n${exitStatusHelp('other')}`)
    .action((path) => setStatus(disasmCommand(path)));

  cli.command('bench')
    .description('measure simulation speed on the shipped workloads, per topology')
    .option('--json', 'print JSON instead of a table')
    .option('--runs <n>', 'timed runs per measurement (the median is reported)', '5')
    .option('--topology <names>', 'comma-separated topologies to measure (default: all)')
    .option('--workload <names>', 'comma-separated workloads to measure (default: all)')
    .option('--ecc <code>', "the machines' RAM error-correcting code: none or secded (machine workloads)", 'none')
    .option('--campaign-runs <n>', 'runs of each campaign the campaign workload times', '1000')
    .option('--engine <names>', 'comma-separated engines to measure: interp, translate (default both)')
    .addHelpText('after', `\n${exitStatusHelp('other')}`)
    .action(async (options) => setStatus(await benchCommand(options)));

  cli.command('demo')
    .description('one program, one fault, four machines: what lockstep buys, in one minute')
    .addHelpText('after', `\nThe fault: ${'at=300,module=1,kind=flip,target=s2,bit=12'} (module 0 on simplex).\n${FAULT_HELP}\n\n${exitStatusHelp('other')}`)
    .action(async () => setStatus(await demoCommand()));

  const campaign = cli.command('campaign')
    .description('a fault-injection campaign: seeded faults, each run classified against the fault-free run, with statistics')
    .enablePositionalOptions()
    .argument('[program]', "the program file (with --workload: instead of the workload's own)")
    .option('--topology <name>', `the machine: ${TOPOLOGIES.join(', ')}`, 'simplex')
    .option('--compare <point>', 'compare point: every, store or io', 'every')
    .option('--ram <MiB>', 'guest RAM per module in MiB (1..64)', '1')
    .addOption(new Option('--format <kind>', 'how to read the program (default: by file name)').choices(['elf', 'asm', 'bin']))
    .option('--runs <n>', `faulty runs (default ${DEFAULT_RUNS})`)
    .option('--margin <e>', "instead of --runs: the margin wanted, e.g. 1% (runs by Leveugle's formula over the fault space)")
    .option('--confidence <q>', 'the confidence of --margin, of the margin achieved and of the zero-escape bound (default 95%)')
    .option('--seed <s>', 'seed of the faults: run k injects the k-th fault of (seed, k)', '1')
    .option('--kinds <list>', `fault kinds: ${MODULE_FAULT_KINDS.join(', ')}`, DEFAULT_KINDS)
    .option('--targets <list>', 'targets: regs, pc, csr, mem (the program\'s words), result, registers (x5, a0), CSRs (mepc), mem:FROM..TO', DEFAULT_TARGETS)
    .option('--window <from..to>', 'instructions at which faults apply (default: the whole fault-free run; TO excluded)')
    .option('--modules <list>', 'modules faults may hit, e.g. 0,2 (default: all)')
    .option('--inject <spec>', 'a fault every run carries besides its own, e.g. a latent at=0,board=0,kind=stuck-agree,target=comparator (repeatable)', collect, [])
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--checkpoint-every <n>', 'instructions between checkpoints of the fault-free run (default: a 64th of it)')
    .option('--max-instructions <n>', 'the fault-free run must exit within n instructions (default 1G)')
    .option('--engine <name>', 'how the core runs guest code: translate or interp (as lockstep run; the results are the same)', DEFAULT_ENGINE)
    .option('--out <file>', 'write one JSON line per run to file, as each finishes')
    .option('--resume', 'continue the campaign in --out: skip its finished runs')
    .option('--summary <file>', 'write the summary as JSON to file')
    .option('--json', 'print the summary as JSON instead of a table')
    .option('--shard <i/n>', 'run only the i-th of n disjoint slices of the campaign (shards count from 1)')
    .option('--shards <n>', 'run one of n slices, the one the batch system gives (JOB_COMPLETION_INDEX, or SLURM_ARRAY_TASK_ID)')
    .option('--workload <name>', 'run a transaction workload for --duration of virtual time in each run; its ledger judges it')
    .option('--rate <r>', 'with --workload: transactions per virtual second')
    .option('--duration <time>', 'with --workload: virtual time a run lasts (default 1s)')
    .option('--fifo <n>', 'with --workload: depth of the input FIFO')
    .option('--arrival-seed <s>', 'with --workload: seed of the arrivals and payloads (default 1)')
    .addHelpText('after', [
      '',
      'The summary lists, for each outcome seen but masked, a lockstep run command that reproduces one of its runs.',
      "lockstep campaign merge a.jsonl b.jsonl ... combines the results files of a campaign's shards.",
      '',
      exitStatusHelp('other'),
      '  130  interrupted by SIGINT (128 + 2): --out holds every finished run; continue with --resume',
      '  143  terminated by SIGTERM (128 + 15): as 130',
    ].join('\n'))
    .action(async (path: string | undefined, options) => setStatus(await campaignCommand(path, options)));

  campaign.command('merge')
    .description("the summary of a campaign from the results files of all its shards (or one file)")
    .argument('<files...>', 'results files (--out) of the shards 1/n ... n/n')
    .option('--summary <file>', 'write the summary as JSON to file')
    .option('--json', 'print the summary as JSON instead of a table')
    .addHelpText('after', `\n${exitStatusHelp('other')}`)
    .action((files: string[], options) => setStatus(mergeCommand(files, options)));

  addAvailabilityCommand(cli, setStatus);
  addCompareCommand(cli, setStatus);
  addLessonCommands(cli, setStatus);

  return cli;
}

/**
 * `--trace` takes a file only as `--trace=FILE`: Commander gives an optional option value
 * the next argument, so `lockstep run --trace prog.elf` would trace into prog.elf and lack
 * a program. A bare `--trace` becomes `--trace=` (stderr); the argument after it, if it is
 * no option, is returned too, for the hint when it was meant as the trace file.
 */
function bareTraceFlags(argv: string[]): { argv: string[]; traceFile?: string } {
  const end = argv.indexOf('--');
  let traceFile: string | undefined;
  const rewritten = argv.map((arg, k) => {
    if (arg !== '--trace' || (end >= 0 && k > end)) return arg;
    const next = argv[k + 1];
    if (next !== undefined && !next.startsWith('-')) traceFile = next;
    return '--trace=';
  });
  return { argv: rewritten, traceFile };
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const { argv: args, traceFile } = bareTraceFlags(argv);
  const cli = program((s) => { status = s; }, traceFile);
  try {
    await cli.parseAsync(args, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message; help and version are not errors.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(error);
  }
}
