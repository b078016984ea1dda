/**
 * RV32IM → WebAssembly, a page of guest code at a time. The function a page becomes, and
 * the contract it keeps with the core's run loop, are described in
 * assembly/translate/dispatch.ts; this file decodes the page into basic blocks and emits them.
 *
 * What is translated: every RV32IM instruction that the interpreter's fast step completes
 * on its own (assembly/cpu/execute.ts, stepFast): LUI, AUIPC, OP-IMM, OP (with M), branches
 * and JAL to aligned targets, JALR, FENCE and FENCE.I (no-ops: a store into translated code
 * invalidates its page whatever follows), and aligned loads and stores inside RAM. Decided
 * while running, before the instruction: a load or store outside RAM or misaligned, a store
 * to tohost or into a code granule, a JALR to a misaligned target, and a basic block longer
 * than the instructions left make the function return to the interpreter, with the pc at
 * that instruction. Never translated: SYSTEM instructions (CSRs, ecall, ebreak, mret, wfi),
 * illegal encodings, and branches or jumps whose target is misaligned.
 *
 * The function serves every module: it runs on the module whose hart block is its `hart`
 * argument, with that module's RAM and dirty-page map (the block's H_RAM, H_DIRTY). Guest
 * registers live in wasm locals from entry to exit (loaded from the hart block at entry,
 * those written stored back at exit). Basic blocks sit in one loop:
 * a br_table on the word index of the pc enters a block; a branch forward in the page
 * jumps straight to its block, a branch backward goes round the loop. Each block first
 * checks that all its instructions fit in the budget. At exit the retire record of the last
 * instruction run is written, from the instruction's static fields and the locals.
 */
import { Code, Op, moduleOf } from './wasm.ts';

/** What the translator needs to know of the core. */
export interface PageContext {
  /** The page's 1,024 instruction words. */
  words: Uint32Array;
  /** Guest address of words[0]. */
  pageBase: number;
  /** Word indices at which the function must start a block (where the run loop enters). */
  entries: Iterable<number>;
  /** Linear addresses, the same for every module: the code-granule map; M_TOHOST. */
  granules: number;
  tohost: number;
  /** Guest RAM per module, bytes. */
  ramSize: number;
  layout: TranslatorLayout;
}

/** The core's layout constants the translated code uses (assembly/layout.ts). */
export interface TranslatorLayout {
  RAM_BASE: number; PAGE_SHIFT: number; CODE_GRANULE_SHIFT: number;
  H_X: number; H_PC: number; H_RAM: number; H_DIRTY: number; H_RETIRE: number;
  R_PC: number; R_INSN: number; R_KIND: number; R_VALUE: number; R_ADDR: number; R_DATA: number; R_NPC: number;
  K_LOAD: number; K_STORE: number; K_WIDTH_SHIFT: number;
}

export interface PageTranslation {
  /** The WebAssembly module: exports `run(pc, left, hart) → instructions run`, imports `core.memory`. */
  bytes: Uint8Array;
  /** Word indices of the instructions translated (their code granules must be marked). */
  words: number[];
  /** Word indices where a block starts (entries of the function). */
  blockStarts: number[];
}

const WORDS = 1024;

type AluOp =
  | 'add' | 'sub' | 'sll' | 'slt' | 'sltu' | 'xor' | 'srl' | 'sra' | 'or' | 'and'
  | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu';
type Cond = 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu';

/** A decoded instruction the translator handles. */
type Insn =
  | { kind: 'lui' | 'auipc'; rd: number; imm: number }
  | { kind: 'alu'; op: AluOp; rd: number; rs1: number; rs2: number }
  | { kind: 'alui'; op: AluOp; rd: number; rs1: number; imm: number }
  | { kind: 'load'; size: number; signed: boolean; rd: number; rs1: number; imm: number }
  | { kind: 'store'; size: number; rs1: number; rs2: number; imm: number }
  | { kind: 'branch'; cond: Cond; rs1: number; rs2: number; imm: number }
  | { kind: 'jal'; rd: number; imm: number }
  | { kind: 'jalr'; rd: number; rs1: number; imm: number }
  | { kind: 'fence' };

// Immediates, unprivileged spec §2.3 (figure 2.4): sign bit always insn[31].
const immI = (w: number) => w >> 20;
const immS = (w: number) => ((w >> 20) & ~0x1F) | ((w >>> 7) & 0x1F);
const immB = (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3F) << 5) | (((w >>> 8) & 0xF) << 1);
const immU = (w: number) => w & 0xFFFF_F000;
const immJ = (w: number) => ((w >> 31) << 20) | (((w >>> 12) & 0xFF) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3FF) << 1);

const OP_BASE: (AluOp | undefined)[] = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and'];
const OP_ALT: (AluOp | undefined)[] = ['sub', undefined, undefined, undefined, undefined, 'sra', undefined, undefined];
const OP_MUL: AluOp[] = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const CONDS: (Cond | undefined)[] = ['beq', 'bne', undefined, undefined, 'blt', 'bge', 'bltu', 'bgeu'];

/**
 * The instruction `w` at guest address `pc`, if the translator handles it: the same
 * encodings execute.ts accepts, less those its fast step always leaves to the slow one.
 */
export function decode(w: number, pc: number): Insn | undefined {
  if ((w & 3) !== 3) return undefined;
  const opcode = (w >>> 2) & 0x1F;
  const rd = (w >>> 7) & 0x1F;
  const f3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 0x1F;
  const rs2 = (w >>> 20) & 0x1F;
  const f7 = w >>> 25;
  switch (opcode) {
    case 0x0D: return { kind: 'lui', rd, imm: immU(w) };
    case 0x05: return { kind: 'auipc', rd, imm: immU(w) };
    case 0x1B: { // JAL
      const imm = immJ(w);
      return ((pc + imm) & 3) === 0 ? { kind: 'jal', rd, imm } : undefined;
    }
    case 0x19: return f3 === 0 ? { kind: 'jalr', rd, rs1, imm: immI(w) } : undefined;
    case 0x18: { // BRANCH
      const cond = CONDS[f3];
      const imm = immB(w);
      return cond && ((pc + imm) & 3) === 0 ? { kind: 'branch', cond, rs1, rs2, imm } : undefined;
    }
    case 0x00: // LOAD: LB LH LW - LBU LHU
      if (f3 === 3 || f3 > 5) return undefined;
      return { kind: 'load', size: f3 & 3, signed: f3 < 4, rd, rs1, imm: immI(w) };
    case 0x08: return f3 < 3 ? { kind: 'store', size: f3, rs1, rs2, imm: immS(w) } : undefined;
    case 0x04: { // OP-IMM
      if (f3 === 1 && f7 !== 0) return undefined;
      if (f3 === 5 && f7 !== 0 && f7 !== 0x20) return undefined;
      const op = f3 === 5 && f7 === 0x20 ? 'sra' : OP_BASE[f3]!;
      return { kind: 'alui', op, rd, rs1, imm: f3 === 1 || f3 === 5 ? rs2 : immI(w) };
    }
    case 0x0C: { // OP
      const op = f7 === 0 ? OP_BASE[f3] : f7 === 0x20 ? OP_ALT[f3] : f7 === 1 ? OP_MUL[f3] : undefined;
      return op ? { kind: 'alu', op, rd, rs1, rs2 } : undefined;
    }
    case 0x03: return f3 < 2 ? { kind: 'fence' } : undefined; // FENCE, FENCE.I
    default: return undefined; // SYSTEM and the rest
  }
}

const isTerminator = (i: Insn) => i.kind === 'branch' || i.kind === 'jal' || i.kind === 'jalr';

/** Word indices where blocks start: the entries and what static control flow reaches from them. */
function findLeaders(words: Uint32Array, pageBase: number, entries: Iterable<number>): Set<number> {
  const leaders = new Set<number>();
  const visited = new Set<number>();
  const work: number[] = [];
  const lead = (w: number) => {
    if (w >= 0 && w < WORDS && !leaders.has(w) && decode(words[w], pageBase + 4 * w)) {
      leaders.add(w);
      work.push(w);
    }
  };
  for (const e of entries) lead(e);
  while (work.length > 0) {
    for (let w = work.pop()!; w < WORDS && !visited.has(w); w++) {
      visited.add(w);
      const insn = decode(words[w], pageBase + 4 * w);
      if (!insn) break;
      if (insn.kind === 'branch') { lead(w + insn.imm / 4); lead(w + 1); break; }
      if (insn.kind === 'jal') { lead(w + insn.imm / 4); if (insn.rd !== 0) lead(w + 1); break; }
      if (insn.kind === 'jalr') { if (insn.rd !== 0) lead(w + 1); break; }
    }
  }
  return leaders;
}

interface Block { start: number; insns: Insn[] }

// Locals: params 0 (pc), 1 (left) and 2 (hart); x1..x31 at 3..33; then scratch.
const PC = 0;
const LEFT = 1;
const HART = 2;
const PARAMS = 3;
const reg = (r: number) => r + 2;
const START = 34; // `left` at entry
const IDX = 35; // word index to dispatch on
const REC = 36; // record point of the last instruction run (-1 = none)
const MADDR = 37; // address and data of the last load or store
const MDATA = 38;
const TA = 39; // scratch
const TB = 40;
const OFF = 41; // RAM offset of the access
const RAM = 42; // linear address of the module's RAM
const DIRTY = 43; // linear address of its dirty-page map
const LOCALS = DIRTY + 1 - PARAMS; // declared locals beyond the params

/** Translates one page; undefined if no entry starts a translatable instruction. */
export function translatePage(ctx: PageContext): PageTranslation | undefined {
  const { words, pageBase, layout: L } = ctx;
  const leaders = findLeaders(words, pageBase, ctx.entries);
  if (leaders.size === 0) return undefined;
  const starts = [...leaders].sort((a, b) => a - b);
  const blocks: Block[] = starts.map((start) => {
    const insns: Insn[] = [];
    for (let w = start; w < WORDS && (w === start || !leaders.has(w)); w++) {
      const insn = decode(words[w], pageBase + 4 * w);
      if (!insn) break;
      insns.push(insn);
      if (isTerminator(insn)) break;
    }
    return { start, insns };
  });
  const blockAt = new Map(blocks.map((b, k) => [b.start, k]));

  const used = new Set<number>();
  for (const b of blocks) for (const i of b.insns) for (const r of registersOf(i)) if (r !== 0) used.add(r);

  // Record points: instructions that may be the last one run when the function returns.
  const records: { word: number; insn: Insn }[] = [];
  const recordIds = new Map<number, number>();
  const recordOf = (word: number, insn: Insn) => {
    let id = recordIds.get(word);
    if (id === undefined) { id = records.length; records.push({ word, insn }); recordIds.set(word, id); }
    return id;
  };

  const code = new Code();
  const labels: string[] = [];
  const open = (name: string, kind: 'block' | 'loop' | 'if' = 'block') => { labels.push(name); code[kind](); };
  const close = () => { labels.pop(); code.end(); };
  const depth = (name: string) => labels.length - 1 - labels.lastIndexOf(name);
  const operand = (r: number) => (r === 0 ? code.i32(0) : code.get(reg(r)));
  /** The module's RAM at offset OFF: pushes its linear address. */
  const ramAt = () => code.get(RAM).get(OFF).op(Op.i32Add);

  // Prologue.
  code.get(LEFT).set(START);
  code.get(HART).mem(Op.i32Load, L.H_RAM, 2).set(RAM);
  code.get(HART).mem(Op.i32Load, L.H_DIRTY, 2).set(DIRTY);
  for (const r of used) code.get(HART).mem(Op.i32Load, L.H_X + 4 * r, 2).set(reg(r));
  code.get(PC).i32(pageBase).op(Op.i32Sub).i32(2).op(Op.i32Rotr).set(IDX);
  code.i32(-1).set(REC);

  open('done');
  open('dispatch', 'loop');
  for (let k = blocks.length - 1; k >= 0; k--) open(`B${k}`);
  open('bad');
  const table = Array.from({ length: WORDS }, (_, w) => (blockAt.has(w) ? depth(`B${blockAt.get(w)}`) : depth('bad')));
  code.get(IDX).brTable(table, depth('bad'));
  close(); // bad: the pc is not an entry
  code.br(depth('done'));

  blocks.forEach((block, k) => {
    close(); // B{k}: block k's code follows
    const length = block.insns.length;
    const pcOf = (j: number) => (pageBase + 4 * (block.start + j)) | 0;
    const exit = (pc: number) => code.i32(pc).set(PC).br(depth('done'));
    /** Transfer to guest address `target` at the end of block k (`nested` inside an if). */
    const goto = (target: number, nested: boolean) => {
      const offset = (target - pageBase) >>> 0;
      const t = offset < WORDS * 4 ? blockAt.get(offset / 4) : undefined;
      if (t === undefined) exit(target | 0);
      else if (t > k) { if (nested || t !== k + 1) code.br(depth(`B${t}`)); }
      else code.i32(offset / 4).set(IDX).br(depth('dispatch'));
    };
    /** Leaves before instruction j (the interpreter runs it), giving back the rest of the block's budget. */
    const exitBefore = (j: number) => {
      open('exit', 'if');
      code.get(LEFT).i32(length - j).op(Op.i32Add).set(LEFT);
      if (j > 0) code.i32(recordOf(block.start + j - 1, block.insns[j - 1])).set(REC);
      exit(pcOf(j));
      close();
    };

    code.get(LEFT).i32(length).op(Op.i32LtU);
    open('short', 'if');
    exit(pcOf(0));
    close();
    code.get(LEFT).i32(length).op(Op.i32Sub).set(LEFT);

    block.insns.forEach((insn, j) => {
      const pc = pcOf(j);
      const last = j === length - 1;
      switch (insn.kind) {
        case 'lui':
          if (insn.rd !== 0) code.i32(insn.imm).set(reg(insn.rd));
          break;
        case 'auipc':
          if (insn.rd !== 0) code.i32(pc + insn.imm).set(reg(insn.rd));
          break;
        case 'alu':
        case 'alui':
          if (insn.rd === 0) break;
          aluOp(code, insn.op, () => operand(insn.rs1), () => (insn.kind === 'alu' ? operand(insn.rs2) : code.i32(insn.imm)));
          code.set(reg(insn.rd));
          break;
        case 'load': {
          operand(insn.rs1);
          code.i32(insn.imm).op(Op.i32Add).tee(MADDR).i32(L.RAM_BASE).op(Op.i32Sub).tee(OFF);
          if (insn.size > 0) code.i32(insn.size).op(Op.i32Rotr);
          code.i32(ctx.ramSize >>> insn.size).op(Op.i32GeU);
          exitBefore(j);
          ramAt();
          const ops = [[Op.i32Load8U, Op.i32Load16U, Op.i32Load], [Op.i32Load8S, Op.i32Load16S, Op.i32Load]];
          code.mem(ops[insn.signed ? 1 : 0][insn.size], 0, insn.size);
          code.set(MDATA);
          if (insn.rd !== 0) code.get(MDATA).set(reg(insn.rd));
          break;
        }
        case 'store': {
          operand(insn.rs1);
          code.i32(insn.imm).op(Op.i32Add).tee(MADDR).i32(L.RAM_BASE).op(Op.i32Sub).tee(OFF);
          if (insn.size > 0) code.i32(insn.size).op(Op.i32Rotr);
          code.i32(ctx.ramSize >>> insn.size).op(Op.i32GeU);
          exitBefore(j);
          // In RAM: tohost ends the batch, and a store into translated code is left to the interpreter.
          code.get(MADDR).i32(0).mem(Op.i32Load, ctx.tohost, 2).op(Op.i32Eq);
          code.get(OFF).i32(L.CODE_GRANULE_SHIFT).op(Op.i32ShrU).mem(Op.i32Load8U, ctx.granules, 0).op(Op.i32Or);
          exitBefore(j);
          operand(insn.rs2);
          if (insn.size < 2) code.i32(insn.size === 0 ? 0xFF : 0xFFFF).op(Op.i32And);
          code.set(MDATA);
          ramAt().get(MDATA).mem([Op.i32Store8, Op.i32Store16, Op.i32Store][insn.size], 0, insn.size);
          code.get(DIRTY).get(OFF).i32(L.PAGE_SHIFT).op(Op.i32ShrU).op(Op.i32Add).i32(1).mem(Op.i32Store8, 0, 0);
          break;
        }
        case 'fence':
          break;
        case 'branch': {
          code.i32(recordOf(block.start + j, insn)).set(REC);
          operand(insn.rs1);
          operand(insn.rs2);
          code.op({ beq: Op.i32Eq, bne: Op.i32Ne, blt: Op.i32LtS, bge: Op.i32GeS, bltu: Op.i32LtU, bgeu: Op.i32GeU }[insn.cond]);
          open('taken', 'if');
          goto(pc + insn.imm, true);
          close();
          goto(pc + 4, false);
          return;
        }
        case 'jal':
          code.i32(recordOf(block.start + j, insn)).set(REC);
          if (insn.rd !== 0) code.i32(pc + 4).set(reg(insn.rd));
          goto(pc + insn.imm, false);
          return;
        case 'jalr':
          operand(insn.rs1);
          code.i32(insn.imm).op(Op.i32Add).i32(-2).op(Op.i32And).tee(TA).i32(3).op(Op.i32And);
          exitBefore(j);
          code.i32(recordOf(block.start + j, insn)).set(REC);
          if (insn.rd !== 0) code.i32(pc + 4).set(reg(insn.rd));
          code.get(TA).tee(PC).i32(pageBase).op(Op.i32Sub).i32(2).op(Op.i32Rotr).set(IDX);
          code.br(depth('dispatch'));
          return;
      }
      if (last) {
        code.i32(recordOf(block.start + j, insn)).set(REC);
        goto(pc + 4, false);
      }
    });
  });
  close(); // dispatch
  close(); // done

  // Epilogue: registers, pc, the retire record of the last instruction run, the count.
  for (const r of used) code.get(HART).get(reg(r)).mem(Op.i32Store, L.H_X + 4 * r, 2);
  code.get(HART).get(PC).mem(Op.i32Store, L.H_PC, 2);
  const field = (f: number) => L.H_RETIRE + f;
  open('recorded');
  for (let k = records.length - 1; k >= 0; k--) open(`R${k}`);
  code.get(REC).brTable(records.map((_, k) => depth(`R${k}`)), depth('recorded'));
  records.forEach(({ word, insn }) => {
    close();
    const pc = (pageBase + 4 * word) | 0;
    const rd = 'rd' in insn ? insn.rd : 0;
    const access = insn.kind === 'load' ? L.K_LOAD : insn.kind === 'store' ? L.K_STORE : 0;
    const kind = rd | (access === 0 ? 0 : access | ((1 << (insn as { size: number }).size) << L.K_WIDTH_SHIFT));
    code.get(HART).i32(pc).mem(Op.i32Store, field(L.R_PC), 2);
    code.get(HART).i32(words[word]).mem(Op.i32Store, field(L.R_INSN), 2);
    code.get(HART).i32(kind).mem(Op.i32Store, field(L.R_KIND), 2);
    code.get(HART);
    if (rd !== 0) code.get(reg(rd)); else code.i32(0);
    code.mem(Op.i32Store, field(L.R_VALUE), 2);
    code.get(HART);
    if (access !== 0) code.get(MADDR); else code.i32(0);
    code.mem(Op.i32Store, field(L.R_ADDR), 2);
    code.get(HART);
    if (access !== 0) code.get(MDATA); else code.i32(0);
    code.mem(Op.i32Store, field(L.R_DATA), 2);
    code.get(HART).get(PC).mem(Op.i32Store, field(L.R_NPC), 2);
    code.br(depth('recorded'));
  });
  close(); // recorded
  code.get(START).get(LEFT).op(Op.i32Sub);

  return {
    bytes: moduleOf(code, PARAMS, LOCALS, 'run', { module: 'core', field: 'memory' }),
    words: blocks.flatMap((b) => b.insns.map((_, j) => b.start + j)),
    blockStarts: blocks.map((b) => b.start),
  };
}

/** The registers an instruction reads or writes (x0 included). */
function registersOf(i: Insn): number[] {
  return [
    ...('rd' in i ? [i.rd] : []),
    ...('rs1' in i ? [i.rs1] : []),
    ...('rs2' in i ? [i.rs2] : []),
  ];
}

/** Pushes op(a, b) of an OP or OP-IMM instruction, with the spec's results where wasm would trap (alu.ts). */
function aluOp(code: Code, op: AluOp, a: () => void, b: () => void): void {
  const simple: Partial<Record<AluOp, number>> = {
    add: Op.i32Add, sub: Op.i32Sub, sll: Op.i32Shl, slt: Op.i32LtS, sltu: Op.i32LtU, xor: Op.i32Xor,
    srl: Op.i32ShrU, sra: Op.i32ShrS, or: Op.i32Or, and: Op.i32And, mul: Op.i32Mul,
  };
  const plain = simple[op];
  if (plain !== undefined) { a(); b(); code.op(plain); return; }
  if (op === 'mulh' || op === 'mulhsu' || op === 'mulhu') {
    a(); code.op(op === 'mulhu' ? Op.i64ExtendI32U : Op.i64ExtendI32S);
    b(); code.op(op === 'mulh' ? Op.i64ExtendI32S : Op.i64ExtendI32U);
    code.op(Op.i64Mul).byte(Op.i64Const).s32(32).op(Op.i64ShrU).op(Op.i32WrapI64);
    return;
  }
  // Division: x / 0 = -1 (all ones), x % 0 = x; INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
  // The divisor is replaced by 1 where wasm would trap; the result is then chosen.
  a(); code.set(TA);
  b(); code.set(TB);
  const signed = op === 'div' || op === 'rem';
  const quotient = op === 'div' || op === 'divu';
  if (quotient) code.i32(-1); else code.get(TA); // the result for a zero divisor
  code.get(TA);
  code.i32(1).get(TB).get(TB).op(Op.i32Eqz);
  if (signed) code.get(TA).i32(0x8000_0000 | 0).op(Op.i32Eq).get(TB).i32(-1).op(Op.i32Eq).op(Op.i32And).op(Op.i32Or);
  code.op(Op.select);
  code.op(signed ? (quotient ? Op.i32DivS : Op.i32RemS) : (quotient ? Op.i32DivU : Op.i32RemU));
  code.get(TB).op(Op.i32Eqz).op(Op.select);
}

