// Binary (unibit, path-compressed on insert order) prefix trie for IPv4 and IPv6.
// Longest-prefix match, all covering prefixes, and all covered prefixes.
import { type IpFamily, type Prefix, bitAt, familyBits } from './prefix.js';

interface Node<T> {
  zero?: Node<T>;
  one?: Node<T>;
  /** Present when a prefix ends at this node. */
  entry?: { prefix: Prefix; value: T };
}

export class PrefixTrie<T> {
  private readonly roots: Record<IpFamily, Node<T>> = { 4: {}, 6: {} };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Insert or replace the value for an exact prefix. */
  set(p: Prefix, value: T): void {
    let node = this.roots[p.family];
    for (let i = 0; i < p.length; i++) {
      const bit = bitAt(p.bytes, i);
      const next = bit ? node.one : node.zero;
      if (next) node = next;
      else {
        const created: Node<T> = {};
        if (bit) node.one = created;
        else node.zero = created;
        node = created;
      }
    }
    if (!node.entry) this.count++;
    node.entry = { prefix: p, value };
  }

  /** Value stored for exactly this prefix. */
  get(p: Prefix): T | undefined {
    const node = this.walk(p.family, p.bytes, p.length);
    return node?.entry?.value;
  }

  delete(p: Prefix): boolean {
    const node = this.walk(p.family, p.bytes, p.length);
    if (!node?.entry) return false;
    delete node.entry;
    this.count--;
    return true;
  }

  private walk(family: IpFamily, bytes: Uint8Array, length: number): Node<T> | undefined {
    let node: Node<T> | undefined = this.roots[family];
    for (let i = 0; i < length && node; i++) node = bitAt(bytes, i) ? node.one : node.zero;
    return node;
  }

  /** Longest prefix containing the address (4 or 16 bytes). */
  longestMatch(address: Uint8Array): { prefix: Prefix; value: T } | undefined {
    const family: IpFamily = address.length === 4 ? 4 : 6;
    let node: Node<T> | undefined = this.roots[family];
    let best = node.entry;
    const bits = familyBits(family);
    for (let i = 0; i < bits && node; i++) {
      node = bitAt(address, i) ? node.one : node.zero;
      if (node?.entry) best = node.entry;
    }
    return best;
  }

  /** Every stored prefix that contains `p` (including p itself), shortest first. */
  covering(p: Prefix): Array<{ prefix: Prefix; value: T }> {
    const out: Array<{ prefix: Prefix; value: T }> = [];
    let node: Node<T> | undefined = this.roots[p.family];
    if (node.entry) out.push(node.entry);
    for (let i = 0; i < p.length && node; i++) {
      node = bitAt(p.bytes, i) ? node.one : node.zero;
      if (node?.entry) out.push(node.entry);
    }
    return out;
  }

  /** Every stored prefix inside `p` (including p itself). */
  covered(p: Prefix): Array<{ prefix: Prefix; value: T }> {
    const start = this.walk(p.family, p.bytes, p.length);
    const out: Array<{ prefix: Prefix; value: T }> = [];
    const stack: Node<T>[] = start ? [start] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.entry) out.push(n.entry);
      if (n.one) stack.push(n.one);
      if (n.zero) stack.push(n.zero);
    }
    return out;
  }

  *entries(): IterableIterator<{ prefix: Prefix; value: T }> {
    for (const fam of [4, 6] as const) {
      const stack: Node<T>[] = [this.roots[fam]];
      while (stack.length > 0) {
        const n = stack.pop()!;
        if (n.entry) yield n.entry;
        if (n.one) stack.push(n.one);
        if (n.zero) stack.push(n.zero);
      }
    }
  }
}
