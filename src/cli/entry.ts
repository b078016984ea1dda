/** Process entry of the `lockstep` command. */
import { main } from './main.ts';
import { EXIT_BROKEN_PIPE } from './errors.ts';

// A reader that goes away (`lockstep ... | head`) ends the command quietly, as SIGPIPE would.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
