// Public API of the bgp domain: message codec, the RFC 4271 FSM reducer, the UPDATE packer,
// per-peer Adj-RIB-Out, the TCP session driver and the Flowspec speaker.
export * from './messages/index.js';
export { BGP_CODES, type BgpCode } from './codes.js';
export {
  step,
  initialFsmState,
  buildOpen,
  FLOWSPEC_FAMILIES,
  OPEN_HOLD_TIME_SEC,
  type FsmConfig,
  type FsmState,
  type FsmEvent,
  type FsmAction,
  type StepResult,
  type Negotiated,
  type SessionDown,
  type SessionStateName,
  type TimerName,
} from './fsm.js';
export { AdjRibOut, ribEntryFor, type RibOutEntry, type RibChange } from './adj-rib-out.js';
export { buildAnnounceUpdates, buildWithdrawUpdates, buildEndOfRib, type UpdateSession, type OutgoingNlri, type OutgoingAnnouncement } from './update-builder.js';
export { BgpSession, type SessionOptions } from './io/session.js';
export { FlowspecSpeaker, type SpeakerOptions, type PeerOptions, type PeerStatus, type ReceivedRoute, type ChangeReport } from './io/speaker.js';
