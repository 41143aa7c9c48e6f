// API token auth with roles. Tokens are random secrets; only their SHA-256 is stored.
import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'viewer' | 'operator' | 'approver';

/** What each role may do: viewers read; operators also write; approvers also approve wide-scope changes. */
const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export interface Principal {
  readonly subject: string;
  readonly role: Role;
}

export interface TokenVerifier {
  verify(token: string): Principal | undefined | Promise<Principal | undefined>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A verifier over a fixed list of (hash, principal) pairs, e.g. from config or the store. */
export function staticTokenVerifier(entries: ReadonlyArray<{ tokenHash: string; principal: Principal }>): TokenVerifier {
  const byHash = entries.map((e) => ({ hash: Buffer.from(e.tokenHash, 'hex'), principal: e.principal }));
  return {
    verify(token: string) {
      const h = Buffer.from(hashToken(token), 'hex');
      for (const e of byHash) if (e.hash.length === h.length && timingSafeEqual(e.hash, h)) return e.principal;
      return undefined;
    },
  };
}

export function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
