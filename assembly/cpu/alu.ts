// RV32M arithmetic with the spec's results for the cases where WebAssembly would trap
// (unprivileged spec, "Division Operations": x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN,
// INT_MIN%-1 = 0). `i32.div_s` traps the whole instance on these: never use `/` on guest data.

// @ts-ignore: decorator
@inline export function div(a: u32, b: u32): u32 {
  if (b == 0) return 0xFFFF_FFFF;
  if (a == 0x8000_0000 && b == 0xFFFF_FFFF) return a;
  return <u32>(<i32>a / <i32>b);
}

// @ts-ignore: decorator
@inline export function divu(a: u32, b: u32): u32 {
  return b == 0 ? 0xFFFF_FFFF : a / b;
}

// @ts-ignore: decorator
@inline export function rem(a: u32, b: u32): u32 {
  if (b == 0) return a;
  if (a == 0x8000_0000 && b == 0xFFFF_FFFF) return 0;
  return <u32>(<i32>a % <i32>b);
}

// @ts-ignore: decorator
@inline export function remu(a: u32, b: u32): u32 {
  return b == 0 ? a : a % b;
}

/** High 32 bits of the signed × signed 64-bit product. */
// @ts-ignore: decorator
@inline export function mulh(a: u32, b: u32): u32 {
  return <u32>((<i64><i32>a * <i64><i32>b) >> 32);
}

/** High 32 bits of the signed × unsigned 64-bit product. */
// @ts-ignore: decorator
@inline export function mulhsu(a: u32, b: u32): u32 {
  return <u32>((<i64><i32>a * <i64>b) >> 32);
}

/** High 32 bits of the unsigned × unsigned 64-bit product. */
// @ts-ignore: decorator
@inline export function mulhu(a: u32, b: u32): u32 {
  return <u32>((<u64>a * <u64>b) >> 32);
}

// ── Operations as types ──────────────────────────────────────────────────────────────
// The operations of OP/OP-IMM and the branch conditions are types whose one method the
// compiler inlines: alu<Add>(x, y), taken<Blt>(x, y). Each case of a dispatch switch then
// compiles to its own operation alone. (An operation number passed to an @inline function is
// a local to AssemblyScript, so every call site would carry the whole switch over all
// operations, for Binaryen to prune: that made the build take minutes.)

/** rd = op(x, y) of an OP or OP-IMM instruction; shifts use the low five bits of y. */
// @ts-ignore: decorator
@inline export function alu<Op>(x: u32, y: u32): u32 { return changetype<Op>(0).apply(x, y); }

/** Whether a branch with condition Cond (Beq .. Bgeu) is taken for x = x[rs1], y = x[rs2]. */
// @ts-ignore: decorator
@inline export function taken<Cond>(x: u32, y: u32): bool { return changetype<Cond>(0).test(x, y); }

// @ts-ignore: decorator
@unmanaged export class Add { @inline apply(x: u32, y: u32): u32 { return x + y; } }
// @ts-ignore: decorator
@unmanaged export class Sub { @inline apply(x: u32, y: u32): u32 { return x - y; } }
// @ts-ignore: decorator
@unmanaged export class Sll { @inline apply(x: u32, y: u32): u32 { return x << (y & 31); } }
// @ts-ignore: decorator
@unmanaged export class Slt { @inline apply(x: u32, y: u32): u32 { return select<u32>(1, 0, <i32>x < <i32>y); } }
// @ts-ignore: decorator
@unmanaged export class Sltu { @inline apply(x: u32, y: u32): u32 { return select<u32>(1, 0, x < y); } }
// @ts-ignore: decorator
@unmanaged export class Xor { @inline apply(x: u32, y: u32): u32 { return x ^ y; } }
// @ts-ignore: decorator
@unmanaged export class Srl { @inline apply(x: u32, y: u32): u32 { return x >> (y & 31); } }
// @ts-ignore: decorator
@unmanaged export class Sra { @inline apply(x: u32, y: u32): u32 { return <u32>(<i32>x >> (y & 31)); } }
// @ts-ignore: decorator
@unmanaged export class Or { @inline apply(x: u32, y: u32): u32 { return x | y; } }
// @ts-ignore: decorator
@unmanaged export class And { @inline apply(x: u32, y: u32): u32 { return x & y; } }
// @ts-ignore: decorator
@unmanaged export class Mul { @inline apply(x: u32, y: u32): u32 { return x * y; } }
// @ts-ignore: decorator
@unmanaged export class Mulh { @inline apply(x: u32, y: u32): u32 { return mulh(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Mulhsu { @inline apply(x: u32, y: u32): u32 { return mulhsu(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Mulhu { @inline apply(x: u32, y: u32): u32 { return mulhu(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Div { @inline apply(x: u32, y: u32): u32 { return div(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Divu { @inline apply(x: u32, y: u32): u32 { return divu(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Rem { @inline apply(x: u32, y: u32): u32 { return rem(x, y); } }
// @ts-ignore: decorator
@unmanaged export class Remu { @inline apply(x: u32, y: u32): u32 { return remu(x, y); } }

// @ts-ignore: decorator
@unmanaged export class Beq { @inline test(x: u32, y: u32): bool { return x == y; } }
// @ts-ignore: decorator
@unmanaged export class Bne { @inline test(x: u32, y: u32): bool { return x != y; } }
// @ts-ignore: decorator
@unmanaged export class Blt { @inline test(x: u32, y: u32): bool { return <i32>x < <i32>y; } }
// @ts-ignore: decorator
@unmanaged export class Bge { @inline test(x: u32, y: u32): bool { return <i32>x >= <i32>y; } }
// @ts-ignore: decorator
@unmanaged export class Bltu { @inline test(x: u32, y: u32): bool { return x < y; } }
// @ts-ignore: decorator
@unmanaged export class Bgeu { @inline test(x: u32, y: u32): bool { return x >= y; } }
