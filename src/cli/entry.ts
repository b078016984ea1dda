/** Process entry of the `lockstep` command. */
import { main } from './main.ts';
import { EXIT_BROKEN_PIPE, EXIT_IO } from './errors.ts';

// The CLI writes through io.ts, synchronously; anything else that writes to these streams
// and fails ends the command as io.ts would (errors.ts), not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? EXIT_BROKEN_PIPE : EXIT_IO));
}

// Exit at once: a read of stdin may still be waiting in the thread pool after a signal.
process.exit(await main(process.argv.slice(2)));
