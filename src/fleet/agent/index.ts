// The nftables enforcement agent: protocol (pure), NftHost + server (io), and the
// EnforcementTarget client the rollout executor drives.
export { AgentClient, AgentError } from './io/agent-client.js';
export { startAgentServer } from './io/agent-server.js';
export { NftHost, NftHostError, type NftHostOptions } from './io/nft-host.js';
export { type AgentRequest, type AgentResponse, type ParsedRequest, type RuleCounter, agentRequestSchema, parseAgentRequest, parseNftCounters, wireArtifactSchema, wireRuleSchema } from './protocol.js';
export { AGENT_CODES } from './codes.js';
