/**
 * Input that whoever gave it must fix: an option or setting out of range, a malformed file or
 * fault spec, a request the machine cannot take in its state. The message is one line that
 * says what is wrong and, where it can, what to give instead: the CLI prints it as it is with
 * exit status 2, the page shows it beside its control. It is a RangeError, so code that
 * catches RangeError for bad arguments catches it too. The converse does not hold: a plain
 * RangeError (an argument the caller checks first, such as a budget of instructions) or a
 * plain Error is a broken invariant of ours, a bug, never bad input.
 */
export class InputError extends RangeError {
  override name = 'InputError';
}
