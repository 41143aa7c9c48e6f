// Codes the enforcement agent answers with.
export const AGENT_CODES = {
  agent_bad_request: 'the agent received a line that is not a valid protocol request',
  agent_failed: 'the agent could not carry out the request (nft refused the ruleset, the namespace is gone); nothing already installed was lost',
} as const;
