// The BGP finite state machine (RFC 4271 §8) as a pure reducer: step(state, event) -> {state, actions}.
// It reads no clock and touches no socket: timers and connections are actions the io driver
// (io/session.ts) performs, and their outcomes come back as events. Replaying the event log
// reproduces a session exactly.
//
// Simplifications (documented, not accidental): one TCP connection at a time (the driver rejects
// a second one, so collision detection §6.8 reduces to that); no DelayOpen; a passive peer never
// connects out; after an error the FSM waits `idleHoldSec` in Idle and restarts on its own
// (RFC 4271 §8.1.1 automatic start) unless it was stopped.
import { AFI, AS_TRANS, CEASE_SUBCODE, ERROR_CODE, FSM_SUBCODE, OPEN_SUBCODE, SAFI } from './messages/constants.js';
import type { AddressFamily, BgpDecodeError, BgpMessage, Capability, DecodedMessage, NotificationMessage, OpenMessage } from './messages/types.js';
import { unreachable } from '../lib/assert.js';

export type SessionStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface FsmConfig {
  readonly localAs: number;
  /** Expected peer AS; absent accepts whatever AS the peer's OPEN carries. */
  readonly peerAs?: number;
  /** Our BGP identifier (dotted quad). */
  readonly routerId: string;
  /** Hold time we propose (0 or >= 3). */
  readonly holdTimeSec: number;
  readonly connectRetrySec: number;
  /** Wait for the peer to connect; never connect out. */
  readonly passive: boolean;
  readonly families: readonly AddressFamily[];
  /** Delay before an automatic restart after the session went down. */
  readonly idleHoldSec: number;
  /** Advertise graceful restart (RFC 4724) with this restart time. */
  readonly gracefulRestartSec?: number;
}

export interface Negotiated {
  readonly holdTimeSec: number;
  readonly keepaliveSec: number;
  readonly peerAs: number;
  readonly peerBgpId: string;
  readonly fourOctetAs: boolean;
  readonly families: readonly AddressFamily[];
  readonly routeRefresh: boolean;
  readonly peerCapabilities: readonly Capability[];
}

export interface FsmState {
  readonly name: SessionStateName;
  readonly config: FsmConfig;
  /** A manual start is in force (automatic restarts allowed). */
  readonly started: boolean;
  readonly connectRetryCounter: number;
  readonly negotiated?: Negotiated;
  /** Why the session last went down. */
  readonly lastDown?: SessionDown;
}

export type TimerName = 'connect-retry' | 'hold' | 'keepalive' | 'idle-hold';

export type FsmEvent =
  /** ManualStart (RFC 4271 §8.1.2 event 1, or event 4 with passive TCP establishment). */
  | { readonly type: 'start' }
  /** ManualStop (event 2): Cease/Administrative Shutdown with an optional RFC 8203 message. */
  | { readonly type: 'stop'; readonly reason?: string }
  | { readonly type: 'timer'; readonly timer: TimerName }
  /** TCP connection established, either direction (events 16/17). */
  | { readonly type: 'tcp-connected' }
  /** TCP connection failed or was closed by the peer (event 18). */
  | { readonly type: 'tcp-failed'; readonly message: string }
  /** A message decoded from the peer (events 19, 25-28). */
  | { readonly type: 'message'; readonly decoded: DecodedMessage }
  /** A message we cannot accept (events 21, 22, 28 with session reset): send its NOTIFICATION. */
  | { readonly type: 'decode-error'; readonly error: BgpDecodeError };

export interface SessionDown {
  readonly code: string;
  readonly message: string;
  readonly sent?: NotificationMessage;
  readonly received?: NotificationMessage;
}

export type FsmAction =
  | { readonly type: 'connect' }
  | { readonly type: 'disconnect' }
  | { readonly type: 'send'; readonly message: BgpMessage }
  | { readonly type: 'set-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'clear-timer'; readonly timer: TimerName }
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  /** The session left OpenSent/OpenConfirm/Established (or a connection attempt ended in error). */
  | { readonly type: 'down'; readonly down: SessionDown }
  | { readonly type: 'update'; readonly decoded: DecodedMessage }
  | { readonly type: 'route-refresh'; readonly family: AddressFamily };

export interface StepResult {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}

/** RFC 4271 §10: a large hold time while waiting for the OPEN (suggested 4 minutes). */
export const OPEN_HOLD_TIME_SEC = 240;

export function initialFsmState(config: FsmConfig): FsmState {
  return { name: 'Idle', config, started: false, connectRetryCounter: 0 };
}

export const FLOWSPEC_FAMILIES: readonly AddressFamily[] = [
  { afi: AFI.ipv4, safi: SAFI.flowspec },
  { afi: AFI.ipv6, safi: SAFI.flowspec },
];

/** The OPEN we send for a configuration (RFC 4271 §4.2, RFC 4760, RFC 2918, RFC 6793, RFC 4724). */
export function buildOpen(config: FsmConfig): OpenMessage {
  const capabilities: Capability[] = [
    ...config.families.map((f) => ({ kind: 'multiprotocol' as const, afi: f.afi, safi: f.safi })),
    { kind: 'route-refresh' },
    { kind: 'four-octet-as', asn: config.localAs },
  ];
  if (config.gracefulRestartSec !== undefined) {
    capabilities.push({
      kind: 'graceful-restart',
      restarting: false,
      notification: false,
      restartTimeSec: config.gracefulRestartSec,
      families: config.families.map((f) => ({ ...f, forwardingPreserved: false })),
    });
  }
  return {
    type: 'open',
    version: 4,
    myAs: config.localAs > 0xffff ? AS_TRANS : config.localAs,
    holdTimeSec: config.holdTimeSec,
    bgpId: config.routerId,
    capabilities,
  };
}

function notificationMessage(code: number, subcode: number, data = ''): NotificationMessage {
  return { type: 'notification', code, subcode, data };
}

/** RFC 8203 shutdown communication: length byte + UTF-8 (at most 255 bytes). */
function shutdownData(reason: string | undefined): string {
  if (!reason) return '';
  const bytes = Buffer.from(reason, 'utf8').subarray(0, 255);
  return Buffer.concat([Buffer.of(bytes.length), bytes]).toString('hex');
}

const ALL_TIMERS: readonly TimerName[] = ['connect-retry', 'hold', 'keepalive', 'idle-hold'];

function clearTimers(except: readonly TimerName[] = []): FsmAction[] {
  return ALL_TIMERS.filter((t) => !except.includes(t)).map((timer) => ({ type: 'clear-timer', timer }));
}

/** Leave for Idle: optionally send a NOTIFICATION, drop the connection, arm an automatic restart. */
function toIdle(s: FsmState, down: SessionDown, opts: { notify?: NotificationMessage; restart?: boolean } = {}): StepResult {
  const actions: FsmAction[] = [];
  if (opts.notify) actions.push({ type: 'send', message: opts.notify });
  actions.push({ type: 'disconnect' }, ...clearTimers());
  const full: SessionDown = opts.notify ? { ...down, sent: opts.notify } : down;
  actions.push({ type: 'down', down: full });
  const restart = (opts.restart ?? true) && s.started;
  if (restart) actions.push({ type: 'set-timer', timer: 'idle-hold', ms: s.config.idleHoldSec * 1000 });
  const { negotiated: _dropped, ...rest } = s;
  return { state: { ...rest, name: 'Idle', started: restart ? s.started : false, connectRetryCounter: s.connectRetryCounter + 1, lastDown: full }, actions };
}

function begin(s: FsmState): StepResult {
  const started = { ...s, started: true };
  if (s.config.passive) return { state: { ...started, name: 'Active' }, actions: [] };
  return {
    state: { ...started, name: 'Connect' },
    actions: [
      { type: 'set-timer', timer: 'connect-retry', ms: s.config.connectRetrySec * 1000 },
      { type: 'connect' },
    ],
  };
}

function sendOpen(s: FsmState): StepResult {
  return {
    state: { ...s, name: 'OpenSent' },
    actions: [
      { type: 'clear-timer', timer: 'connect-retry' },
      { type: 'send', message: buildOpen(s.config) },
      { type: 'set-timer', timer: 'hold', ms: OPEN_HOLD_TIME_SEC * 1000 },
    ],
  };
}

function sameFamily(a: AddressFamily, b: AddressFamily): boolean {
  return a.afi === b.afi && a.safi === b.safi;
}

/** Check the peer's OPEN against our configuration and negotiate (RFC 4271 §6.2, §4.2; RFC 6793; RFC 4760). */
function negotiate(s: FsmState, open: OpenMessage): { ok: true; negotiated: Negotiated } | { ok: false; code: string; message: string; notify: NotificationMessage } {
  const four = open.capabilities.find((c): c is Extract<Capability, { kind: 'four-octet-as' }> => c.kind === 'four-octet-as');
  const peerAs = four ? four.asn : open.myAs;
  if (s.config.peerAs !== undefined && peerAs !== s.config.peerAs) {
    return { ok: false, code: 'bgp_open_peer_as', message: `peer AS ${peerAs}, expected ${s.config.peerAs}`, notify: notificationMessage(ERROR_CODE.open, OPEN_SUBCODE.badPeerAs) };
  }
  if (open.bgpId === s.config.routerId) {
    return { ok: false, code: 'bgp_open_bgp_id', message: `peer BGP identifier ${open.bgpId} equals ours`, notify: notificationMessage(ERROR_CODE.open, OPEN_SUBCODE.badBgpIdentifier) };
  }
  const mp = open.capabilities.filter((c): c is Extract<Capability, { kind: 'multiprotocol' }> => c.kind === 'multiprotocol');
  // RFC 4760 §8: without multiprotocol capabilities the peer speaks IPv4 unicast only.
  const theirs: AddressFamily[] = mp.length > 0 ? mp.map((c) => ({ afi: c.afi, safi: c.safi })) : [{ afi: AFI.ipv4, safi: SAFI.unicast }];
  const families = s.config.families.filter((f) => theirs.some((t) => sameFamily(t, f)));
  if (families.length === 0) {
    const wanted = s.config.families.map((f) => `${f.afi}/${f.safi}`).join(', ');
    // RFC 5492 §5: Unsupported Capability, data = the capabilities we need.
    const data = s.config.families.map((f) => `0104${f.afi.toString(16).padStart(4, '0')}00${f.safi.toString(16).padStart(2, '0')}`).join('');
    return { ok: false, code: 'bgp_open_capability', message: `peer supports none of ${wanted}`, notify: notificationMessage(ERROR_CODE.open, OPEN_SUBCODE.unsupportedCapability, data) };
  }
  const holdTimeSec = Math.min(s.config.holdTimeSec, open.holdTimeSec);
  return {
    ok: true,
    negotiated: {
      holdTimeSec,
      keepaliveSec: Math.floor(holdTimeSec / 3),
      peerAs,
      peerBgpId: open.bgpId,
      fourOctetAs: four !== undefined,
      families,
      routeRefresh: open.capabilities.some((c) => c.kind === 'route-refresh' || c.kind === 'enhanced-route-refresh'),
      peerCapabilities: open.capabilities,
    },
  };
}

function holdTimers(n: Negotiated): FsmAction[] {
  if (n.holdTimeSec === 0) return [{ type: 'clear-timer', timer: 'hold' }, { type: 'clear-timer', timer: 'keepalive' }];
  return [
    { type: 'set-timer', timer: 'hold', ms: n.holdTimeSec * 1000 },
    { type: 'set-timer', timer: 'keepalive', ms: n.keepaliveSec * 1000 },
  ];
}

function restartHold(s: FsmState): FsmAction[] {
  const hold = s.negotiated?.holdTimeSec ?? 0;
  return hold > 0 ? [{ type: 'set-timer', timer: 'hold', ms: hold * 1000 }] : [];
}

function fsmError(s: FsmState, what: string, subcode: number): StepResult {
  return toIdle(s, { code: 'bgp_fsm_unexpected', message: `${what} in ${s.name}` }, { notify: notificationMessage(ERROR_CODE.fsm, subcode) });
}

function received(s: FsmState, m: NotificationMessage): StepResult {
  return toIdle(s, { code: 'bgp_peer_notification', message: `peer sent NOTIFICATION ${m.code}/${m.subcode}`, received: m });
}

function stepMessage(s: FsmState, decoded: DecodedMessage): StepResult {
  const m = decoded.message;
  switch (s.name) {
    case 'Idle':
      return { state: s, actions: [] };
    case 'Connect':
    case 'Active':
      // Without DelayOpen no message can arrive before our OPEN went out.
      return m.type === 'notification' ? received(s, m) : fsmError(s, `${m.type.toUpperCase()}`, FSM_SUBCODE.unspecified);
    case 'OpenSent': {
      if (m.type === 'notification') return received(s, m);
      if (m.type !== 'open') return fsmError(s, m.type.toUpperCase(), FSM_SUBCODE.unexpectedInOpenSent);
      const n = negotiate(s, m);
      if (!n.ok) return toIdle(s, { code: n.code, message: n.message }, { notify: n.notify });
      return {
        state: { ...s, name: 'OpenConfirm', negotiated: n.negotiated },
        actions: [{ type: 'send', message: { type: 'keepalive' } }, ...holdTimers(n.negotiated)],
      };
    }
    case 'OpenConfirm':
      if (m.type === 'notification') return received(s, m);
      if (m.type !== 'keepalive') return fsmError(s, m.type.toUpperCase(), FSM_SUBCODE.unexpectedInOpenConfirm);
      return {
        state: { ...s, name: 'Established', connectRetryCounter: 0 },
        actions: [...restartHold(s), { type: 'established', negotiated: s.negotiated! }],
      };
    case 'Established':
      switch (m.type) {
        case 'notification':
          return received(s, m);
        case 'open':
          return fsmError(s, 'OPEN', FSM_SUBCODE.unexpectedInEstablished);
        case 'keepalive':
          return { state: s, actions: restartHold(s) };
        case 'update':
          return { state: s, actions: [...restartHold(s), { type: 'update', decoded }] };
        case 'route-refresh': {
          // RFC 2918 §4: a request for a family that was not negotiated is ignored.
          const family = { afi: m.afi, safi: m.safi };
          const known = s.negotiated?.families.some((f) => sameFamily(f, family)) ?? false;
          return { state: s, actions: [...restartHold(s), ...(known && m.subtype === 0 ? [{ type: 'route-refresh' as const, family }] : [])] };
        }
        default:
          return unreachable(m, 'message');
      }
    default:
      return unreachable(s.name, 'state');
  }
}

export function step(s: FsmState, e: FsmEvent): StepResult {
  switch (e.type) {
    case 'start':
      return s.name === 'Idle' ? begin({ ...s, connectRetryCounter: 0 }) : { state: s, actions: [] };
    case 'stop': {
      if (s.name === 'Idle') return { state: { ...s, started: false }, actions: clearTimers() };
      const stopped = { ...s, started: false };
      const notify = s.name === 'OpenSent' || s.name === 'OpenConfirm' || s.name === 'Established' ? notificationMessage(ERROR_CODE.cease, CEASE_SUBCODE.administrativeShutdown, shutdownData(e.reason)) : undefined;
      return toIdle(stopped, { code: 'bgp_session_stopped', message: `stopped${e.reason ? `: ${e.reason}` : ''}` }, { ...(notify ? { notify } : {}), restart: false });
    }
    case 'timer':
      switch (e.timer) {
        case 'idle-hold':
          return s.name === 'Idle' && s.started ? begin(s) : { state: s, actions: [] };
        case 'connect-retry':
          if (s.name === 'Connect' || (s.name === 'Active' && !s.config.passive)) {
            return {
              state: { ...s, name: 'Connect' },
              actions: [{ type: 'disconnect' }, { type: 'set-timer', timer: 'connect-retry', ms: s.config.connectRetrySec * 1000 }, { type: 'connect' }],
            };
          }
          return { state: s, actions: [] };
        case 'hold':
          if (s.name === 'OpenSent' || s.name === 'OpenConfirm' || s.name === 'Established') {
            return toIdle(s, { code: 'bgp_hold_timer_expired', message: `no message from the peer within the hold time in ${s.name}` }, { notify: notificationMessage(ERROR_CODE.holdTimerExpired, 0) });
          }
          return { state: s, actions: [] };
        case 'keepalive':
          if ((s.name === 'OpenConfirm' || s.name === 'Established') && s.negotiated && s.negotiated.holdTimeSec > 0) {
            return { state: s, actions: [{ type: 'send', message: { type: 'keepalive' } }, { type: 'set-timer', timer: 'keepalive', ms: s.negotiated.keepaliveSec * 1000 }] };
          }
          return { state: s, actions: [] };
        default:
          return unreachable(e.timer, 'timer');
      }
    case 'tcp-connected':
      if (s.name === 'Connect' || s.name === 'Active') return sendOpen(s);
      // Idle or already connected: the driver should not have accepted it.
      return { state: s, actions: [] };
    case 'tcp-failed':
      if (s.name === 'Idle') return { state: s, actions: [] };
      if (s.name === 'Connect') {
        // RFC 4271 §8.2.2 Connect state, TcpConnectionFails: keep retrying from Active.
        return { state: { ...s, name: 'Active' }, actions: [{ type: 'disconnect' }] };
      }
      if (s.name === 'Active') return { state: s, actions: [{ type: 'disconnect' }] };
      return toIdle(s, { code: 'bgp_connection_failed', message: e.message });
    case 'message':
      return stepMessage(s, e.decoded);
    case 'decode-error': {
      if (s.name === 'Idle') return { state: s, actions: [] };
      const n = e.error.notification;
      return toIdle(s, { code: e.error.code, message: e.error.message }, { notify: notificationMessage(n.code, n.subcode, n.data) });
    }
    default:
      return unreachable(e, 'event');
  }
}
