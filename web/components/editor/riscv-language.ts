/**
 * A small CodeMirror stream language for our assembly dialect (GNU as syntax, RV32IM +
 * Zicsr): `#` and block comments, labels (`name:`, `1:`), directives, mnemonics, registers,
 * numbers, strings, `%hi`/`%lo` relocations and local label references (`1b`, `2f`).
 */
import { StreamLanguage, type StreamParser } from '@codemirror/language';
import { REGISTER_NAMES } from '../../../src/isa/registers.ts';
import { CSR_NAMES } from '../../../src/isa/csr.ts';

const REGISTERS = new Set(REGISTER_NAMES);
const CSRS = new Set(CSR_NAMES);

interface State {
  inComment: boolean;
  /** A mnemonic or directive has been read on this statement. */
  sawOp: boolean;
}

export const riscvParser: StreamParser<State> = {
  name: 'riscv',
  startState: () => ({ inComment: false, sawOp: false }),
  token(stream, state) {
    if (stream.sol()) state.sawOp = false;
    if (state.inComment) {
      if (stream.skipTo('*/')) {
        stream.match('*/');
        state.inComment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('/*')) {
      state.inComment = true;
      return 'comment';
    }
    if (stream.peek() === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.eat(';')) {
      state.sawOp = false;
      return 'punctuation';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^'(?:[^'\\]|\\.)'?/)) return 'string';
    if (stream.match(/^%(hi|lo|pcrel_hi|pcrel_lo)\b/)) return 'operatorKeyword';
    if (stream.match(/^[0-9]+[bf]\b/)) return 'labelName';
    if (stream.match(/^-?(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*)\b/)) return 'number';
    const word = stream.match(/^[A-Za-z_.$][\w.$]*/) as RegExpMatchArray | null;
    if (word) {
      const text = word[0];
      if (stream.peek() === ':') {
        stream.next();
        return 'labelName';
      }
      if (!state.sawOp) {
        state.sawOp = true;
        return text.startsWith('.') ? 'meta' : 'keyword';
      }
      if (REGISTERS.has(text)) return 'variableName.special';
      if (CSRS.has(text)) return 'propertyName';
      return 'variableName';
    }
    if (stream.match(/^[0-9]+:/)) return 'labelName';
    stream.next();
    return 'punctuation';
  },
  languageData: { commentTokens: { line: '#', block: { open: '/*', close: '*/' } } },
};

export const riscv = StreamLanguage.define(riscvParser);
