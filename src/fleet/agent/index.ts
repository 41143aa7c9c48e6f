export { AgentClient, AgentError } from './io/agent-client.js';
export { startAgentServer } from './io/agent-server.js';
export { NftHost, NftHostError } from './io/nft-host.js';
export { type AgentRequest, type AgentResponse, type RuleCounter, agentRequestSchema, parseNftCounters } from './protocol.js';
export { AGENT_CODES } from './codes.js';
