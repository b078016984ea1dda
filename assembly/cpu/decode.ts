// Instruction fields, named after the RISC-V unprivileged spec (ch. 2.2-2.3, "Base
// Instruction Formats" and "Immediate Encoding Variants"). All immediates are sign-extended.

// @ts-ignore: decorator
@inline export function opcode(insn: u32): u32 { return insn & 0x7F; }
// @ts-ignore: decorator
@inline export function rdField(insn: u32): u32 { return (insn >> 7) & 0x1F; }
// @ts-ignore: decorator
@inline export function funct3(insn: u32): u32 { return (insn >> 12) & 0x7; }
// @ts-ignore: decorator
@inline export function rs1Field(insn: u32): u32 { return (insn >> 15) & 0x1F; }
// @ts-ignore: decorator
@inline export function rs2Field(insn: u32): u32 { return (insn >> 20) & 0x1F; }
// @ts-ignore: decorator
@inline export function funct7(insn: u32): u32 { return insn >> 25; }
/** CSR number: insn[31:20]. */
// @ts-ignore: decorator
@inline export function csrField(insn: u32): u32 { return insn >> 20; }

/** I-type: imm[11:0] = insn[31:20]. */
// @ts-ignore: decorator
@inline export function immI(insn: u32): u32 { return <u32>(<i32>insn >> 20); }

/** S-type: imm[11:5] = insn[31:25], imm[4:0] = insn[11:7]. */
// @ts-ignore: decorator
@inline export function immS(insn: u32): u32 {
  return (<u32>(<i32>(insn & 0xFE00_0000) >> 20)) | ((insn >> 7) & 0x1F);
}

/** B-type: imm[12|10:5] = insn[31|30:25], imm[4:1|11] = insn[11:8|7]. */
// @ts-ignore: decorator
@inline export function immB(insn: u32): u32 {
  return (<u32>(<i32>(insn & 0x8000_0000) >> 19))
    | ((insn & 0x80) << 4)
    | ((insn >> 20) & 0x7E0)
    | ((insn >> 7) & 0x1E);
}

/** U-type: imm[31:12] = insn[31:12]. */
// @ts-ignore: decorator
@inline export function immU(insn: u32): u32 { return insn & 0xFFFF_F000; }

/** J-type: imm[20|10:1|11|19:12] = insn[31|30:21|20|19:12]. */
// @ts-ignore: decorator
@inline export function immJ(insn: u32): u32 {
  return (<u32>(<i32>(insn & 0x8000_0000) >> 11))
    | (insn & 0xF_F000)
    | ((insn >> 9) & 0x800)
    | ((insn >> 20) & 0x7FE);
}
