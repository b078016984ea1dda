/**
 * A small WebAssembly binary encoder: what the translator emits and nothing more (one
 * function of i32 parameters and an i32 result over an imported memory). Encodings are those of the
 * WebAssembly core specification 2.0, §5 (binary format): LEB128 integers (§5.2.2),
 * sections (§5.5), instructions (§5.4).
 */

/** Opcodes used by the translator (spec §5.4). */
export const Op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0B, br: 0x0C, brIf: 0x0D, brTable: 0x0E,
  return: 0x0F, drop: 0x1A, select: 0x1B,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Load8S: 0x2C, i32Load8U: 0x2D, i32Load16S: 0x2E, i32Load16U: 0x2F,
  i32Store: 0x36, i32Store8: 0x3A, i32Store16: 0x3B, i64Store: 0x37,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GeS: 0x4E, i32GeU: 0x4F,
  i32Add: 0x6A, i32Sub: 0x6B, i32Mul: 0x6C, i32DivS: 0x6D, i32DivU: 0x6E, i32RemS: 0x6F, i32RemU: 0x70,
  i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76, i32Rotr: 0x78,
  i64Mul: 0x7E, i64ShrS: 0x87, i64ShrU: 0x88,
  i32WrapI64: 0xA7, i64ExtendI32S: 0xAC, i64ExtendI32U: 0xAD,
} as const;

/** Block types (§5.3.5 blocktype): no result, or one i32. */
export const EMPTY = 0x40;
export const I32 = 0x7F;
export const I64 = 0x7E;

/** A growing byte buffer with the spec's integer encodings. */
export class Bytes {
  private buffer = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = b;
    return this;
  }

  bytes(list: ArrayLike<number>): this {
    for (let k = 0; k < list.length; k++) this.byte(list[k]);
    return this;
  }

  /** Unsigned LEB128 of a number 0 .. 2^32 − 1. */
  u32(value: number): this {
    let v = value >>> 0;
    do {
      const low = v & 0x7F;
      v >>>= 7;
      this.byte(v === 0 ? low : low | 0x80);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of an int32 (a number is taken modulo 2^32 first). */
  s32(value: number): this {
    let v = value | 0;
    while (true) {
      const low = v & 0x7F;
      v >>= 7;
      const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
      this.byte(done ? low : low | 0x80);
      if (done) return this;
    }
  }

  /** A name or byte vector: its length, then its bytes (§5.2.4). */
  vector(bytes: Uint8Array): this {
    return this.u32(bytes.length).bytes(bytes);
  }

  name(text: string): this {
    return this.vector(new TextEncoder().encode(text));
  }

  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** A function body's instructions, emitted in order. */
export class Code extends Bytes {
  op(code: number): this { return this.byte(code); }
  i32(value: number): this { return this.byte(Op.i32Const).s32(value); }
  get(local: number): this { return this.byte(Op.localGet).u32(local); }
  set(local: number): this { return this.byte(Op.localSet).u32(local); }
  tee(local: number): this { return this.byte(Op.localTee).u32(local); }
  /** A memory access with a constant `offset` (added to the address operand) and log2 `align`. */
  mem(code: number, offset: number, align: number): this { return this.byte(code).u32(align).u32(offset); }
  block(type = EMPTY): this { return this.byte(Op.block).byte(type); }
  loop(type = EMPTY): this { return this.byte(Op.loop).byte(type); }
  if(type = EMPTY): this { return this.byte(Op.if).byte(type); }
  else(): this { return this.byte(Op.else); }
  end(): this { return this.byte(Op.end); }
  br(depth: number): this { return this.byte(Op.br).u32(depth); }
  brIf(depth: number): this { return this.byte(Op.brIf).u32(depth); }
  brTable(depths: number[], fallback: number): this {
    this.byte(Op.brTable).u32(depths.length);
    for (const d of depths) this.u32(d);
    return this.u32(fallback);
  }
}

/**
 * A module of one exported function `name` of type (i32 × `params`) → i32 with `locals`
 * extra i32 locals and `body` (its instructions, without the final `end`), importing its
 * memory as `module`.`field` (any size).
 */
export function moduleOf(body: Code, params: number, locals: number, exportName: string, memory: { module: string; field: string }): Uint8Array {
  const out = new Bytes();
  out.bytes([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]); // magic, version 1
  const section = (id: number, content: Bytes) => out.byte(id).u32(content.length).bytes(content.view());
  section(1, new Bytes().u32(1).byte(0x60).u32(params).bytes(new Array<number>(params).fill(I32)).u32(1).byte(I32)); // type 0: (i32 …) → i32
  section(2, new Bytes().u32(1).name(memory.module).name(memory.field).byte(0x02).byte(0x00).u32(0)); // memory, min 0, no max
  section(3, new Bytes().u32(1).u32(0)); // function 0 has type 0
  section(7, new Bytes().u32(1).name(exportName).byte(0x00).u32(0)); // export function 0
  const fn = new Bytes().u32(1).u32(locals).byte(I32).bytes(body.view()).byte(Op.end);
  section(10, new Bytes().u32(1).u32(fn.length).bytes(fn.view())); // code
  return out.view().slice();
}
