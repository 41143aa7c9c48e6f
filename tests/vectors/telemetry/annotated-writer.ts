// A byte builder that writes every field with a comment: hand-built vectors come out as
// annotated hex (one field or structure per line). Lengths can be left open and patched.
export const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
export const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const fill = (n: number, v: number): number[] => new Array<number>(n).fill(v);

export interface OpenLength {
  readonly at: number;
  readonly line: number;
  readonly bytes: 2 | 4;
}

export class Annotated {
  readonly lines: string[] = [];
  readonly bytes: number[] = [];
  private readonly open: OpenLength[] = [];

  get offset(): number {
    return this.bytes.length;
  }
  word(v: number, c: string): this {
    return this.raw(be32(v >>> 0), c);
  }
  half(v: number, c: string): this {
    return this.raw(be16(v), c);
  }
  byte(v: number, c: string): this {
    return this.raw([v & 0xff], c);
  }
  raw(b: ArrayLike<number>, c: string): this {
    const all = Array.from(b);
    this.bytes.push(...all);
    if (all.length <= 20) this.lines.push(`${hex(all).padEnd(40)} # ${c}`);
    else for (let i = 0; i < all.length; i += 16) this.lines.push(`${hex(all.slice(i, i + 16)).padEnd(40)} # ${i === 0 ? c : '  ...'}`);
    return this;
  }
  note(c: string): this {
    this.lines.push(`# ${c}`);
    return this;
  }
  /** sFlow style: a 32-bit length of what follows it, patched by close(). */
  lengthWord(c: string): this {
    this.open.push({ at: this.bytes.length, line: this.lines.length, bytes: 4 });
    return this.raw([0, 0, 0, 0], c);
  }
  close(): this {
    const o = this.open.pop()!;
    return this.patch(o, this.bytes.length - o.at - 4);
  }
  /** A 16-bit length placeholder (NetFlow v9 / IPFIX); fill it with patch(). */
  length16(c: string): OpenLength {
    const o: OpenLength = { at: this.bytes.length, line: this.lines.length, bytes: 2 };
    this.raw([0, 0], c);
    return o;
  }
  /** A 32-bit placeholder whose comment may hold "{}" for the value; fill it with patch(). */
  later32(c: string): OpenLength {
    const o: OpenLength = { at: this.bytes.length, line: this.lines.length, bytes: 4 };
    this.raw([0, 0, 0, 0], c);
    return o;
  }
  patch(o: OpenLength, value: number): this {
    const b = o.bytes === 4 ? be32(value) : be16(value);
    b.forEach((x, i) => (this.bytes[o.at + i] = x));
    const zeros = o.bytes === 4 ? '00000000' : '0000';
    this.lines[o.line] = this.lines[o.line]!.replace(new RegExp(`^${zeros}`), hex(b)).replace(/length$/, `length ${value}`).replace('{}', String(value));
    return this;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
  text(): string {
    return this.lines.join('\n');
  }
}
