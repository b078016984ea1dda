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
