/**
 * The `lockstep` command. Every subcommand returns its exit status; errors a user can fix
 * print one clear line and exit 2 (errors.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { runCommand } from './run.ts';
import { asmCommand, disasmCommand } from './asm.ts';
import { benchCommand } from './bench.ts';
import { demoCommand } from './demo.ts';
import { addAvailabilityCommand } from './availability.ts';
import { reportError, EXIT_USAGE } from './errors.ts';
import { TOPOLOGIES } from '../machine/topology.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

function program(setStatus: (status: number) => void): Command {
  const cli = new Command('lockstep')
    .description('Lockstep Lab: lockstep RISC-V machines you can break on purpose')
    .version('0.1.0')
    // A usage error is one line, like every other bad input (errors.ts); Commander's message
    // may span lines ("(Did you mean run?)").
    .configureOutput({
      outputError: (text, write) => write(`lockstep: ${text.trim().replace(/\s*\n\s*/g, ' ')} (run lockstep --help for usage)\n`),
    })
    .exitOverride();

  cli.command('run')
    .description('run a program (ELF, assembly .s, or flat binary .bin) on a machine')
    .argument('[program]', "the program file (with --workload: instead of the workload's own)")
    .option('--topology <name>', `simplex, dmr, pair-spare or tmr (${TOPOLOGIES.join(', ')})`, 'simplex')
    .option('--compare <point>', 'compare point: every, store or io', 'every')
    .option('--ram <MiB>', 'guest RAM per module in MiB (1..64)', '1')
    .option('--max-instructions <n>', 'stop with exit status 124 after n instructions')
    .option('--inject <spec>', "schedule a fault, e.g. 'at=5000,module=1,kind=flip,target=x5,bit=3' (repeatable)", collect, [])
    .option('--replace <spec>', "replace a module or board: 'at=N,module=M' or 'at=N,board=B' (repeatable)", collect, [])
    .option('--repair-after <n>', 'replace an offline module automatically n instructions after it went offline')
    .option('--resync <mode>', 'how a replacement is brought into lockstep: stop-copy or precopy', 'precopy')
    .option('--classify', 'also run the fault-free reference and classify the outcome')
    .option('--trace [file]', 'one line per retired instruction (Spike commit-log format) on stderr, or with --trace=FILE to FILE')
    .option('--report <file>', 'write a JSON report of the run')
    .addOption(new Option('--format <kind>', 'how to read the program (default: by file name)').choices(['elf', 'asm', 'bin']))
    .option('--workload <name>', 'run a transaction workload for --duration of virtual time and print its ledger')
    .option('--rate <r>', 'with --workload: transactions per virtual second (default 1000; periodic workloads: their own period)')
    .option('--duration <time>', 'with --workload: virtual time the run lasts, e.g. 2s, 500ms, 250us (default 1s)')
    .option('--fifo <n>', 'with --workload: depth of the input FIFO, 1..1024 (default 64)')
    .option('--seed <s>', 'with --workload: seed of the arrivals and payloads (default 1)')
    .option('--arrivals <file>', 'with --workload: replay arrivals from a trace file of TIME_US,W0[,W1[,W2[,W3]]] lines')
    .action(async (path, options) => setStatus(await runCommand(path, options)));

  cli.command('asm')
    .description('assemble a RISC-V source file into an ELF executable')
    .argument('<source>', 'the assembly file (.s)')
    .option('-o, --output <file>', 'the ELF file to write (default: the source name with .elf)')
    .option('--text-base <addr>', 'address of .text (default 0x80000000)')
    .option('--data-base <addr>', 'address of .data (default: the page after .text)')
    .action((path, options) => setStatus(asmCommand(path, options)));

  cli.command('disasm')
    .description('disassemble an ELF executable, objdump style')
    .argument('<elf>', 'the ELF file')
    .action((path) => setStatus(disasmCommand(path)));

  cli.command('bench')
    .description('measure simulation speed on the shipped workloads, per topology')
    .option('--json', 'print JSON instead of a table')
    .option('--runs <n>', 'timed runs per measurement (the median is reported)', '5')
    .option('--topology <names>', 'comma-separated topologies to measure (default: all)')
    .option('--workload <names>', 'comma-separated workloads to measure (default: all)')
    .action(async (options) => setStatus(await benchCommand(options)));

  cli.command('demo')
    .description('one program, one fault, four machines: what lockstep buys, in one minute')
    .action(async () => setStatus(await demoCommand()));

  addAvailabilityCommand(cli, setStatus);

  return cli;
}

/**
 * `--trace` takes a file only as `--trace=FILE`: Commander gives an optional option value
 * the next argument, so `lockstep run --trace prog.elf` would trace into prog.elf and lack
 * a program. A bare `--trace` becomes `--trace=` (stderr).
 */
function bareTraceFlags(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, k) => (arg === '--trace' && (end < 0 || k < end) ? '--trace=' : arg));
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const cli = program((s) => { status = s; });
  try {
    await cli.parseAsync(bareTraceFlags(argv), { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message; help and version are not errors.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(error);
  }
}
