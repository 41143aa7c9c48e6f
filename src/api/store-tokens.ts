// Token verification against the store's hashed API tokens.
import type { FailsmallStore } from '../store/index.js';
import { type TokenVerifier, hashToken } from './auth.js';

export function storeTokenVerifier(store: FailsmallStore): TokenVerifier {
  return { verify: (token) => store.findToken(hashToken(token)) };
}
