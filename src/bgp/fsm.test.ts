import { describe, expect, it } from 'vitest';
import { type FsmAction, type FsmConfig, type FsmEvent, type FsmState, FLOWSPEC_FAMILIES, buildOpen, initialFsmState, step } from './fsm.js';
import type { BgpMessage, DecodedMessage, OpenMessage } from './messages/types.js';
import { decodeBgpMessage, encodeBgpMessage } from './messages/index.js';

const config: FsmConfig = {
  localAs: 65001,
  peerAs: 65002,
  routerId: '192.0.2.1',
  holdTimeSec: 90,
  connectRetrySec: 5,
  passive: false,
  families: FLOWSPEC_FAMILIES,
  idleHoldSec: 2,
};

const peerOpen: OpenMessage = {
  type: 'open',
  version: 4,
  myAs: 65002,
  holdTimeSec: 30,
  bgpId: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', afi: 1, safi: 133 },
    { kind: 'route-refresh' },
    { kind: 'four-octet-as', asn: 65002 },
  ],
};

function msg(message: BgpMessage): FsmEvent {
  return { type: 'message', decoded: { message, issues: [], treatAsWithdraw: false } as DecodedMessage };
}

function run(events: readonly FsmEvent[], from: FsmState = initialFsmState(config)): { state: FsmState; actions: FsmAction[] } {
  let state = from;
  const actions: FsmAction[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}

const toEstablished: FsmEvent[] = [{ type: 'start' }, { type: 'tcp-connected' }, msg(peerOpen), msg({ type: 'keepalive' })];

function sent(actions: readonly FsmAction[]): BgpMessage[] {
  return actions.flatMap((a) => (a.type === 'send' ? [a.message] : []));
}

describe('BGP FSM (RFC 4271 §8)', () => {
  it('goes Idle -> Connect -> OpenSent -> OpenConfirm -> Established and negotiates', () => {
    const names: string[] = [];
    let state = initialFsmState(config);
    const actions: FsmAction[] = [];
    for (const e of toEstablished) {
      const r = step(state, e);
      state = r.state;
      names.push(state.name);
      actions.push(...r.actions);
    }
    expect(names).toEqual(['Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(actions.filter((a) => a.type === 'connect')).toHaveLength(1);
    expect(sent(actions).map((m) => m.type)).toEqual(['open', 'keepalive']);
    const est = actions.find((a) => a.type === 'established');
    expect(est && est.type === 'established' && est.negotiated).toMatchObject({ holdTimeSec: 30, keepaliveSec: 10, peerAs: 65002, fourOctetAs: true, families: [{ afi: 1, safi: 133 }], routeRefresh: true });
    expect(actions).toContainEqual({ type: 'set-timer', timer: 'hold', ms: 30_000 });
    expect(actions).toContainEqual({ type: 'set-timer', timer: 'keepalive', ms: 10_000 });
  });

  it('a passive peer waits in Active and never connects out', () => {
    const passive = initialFsmState({ ...config, passive: true });
    const r = run([{ type: 'start' }, { type: 'timer', timer: 'connect-retry' }], passive);
    expect(r.state.name).toBe('Active');
    expect(r.actions.some((a) => a.type === 'connect')).toBe(false);
    const r2 = run([{ type: 'tcp-connected' }], r.state);
    expect(r2.state.name).toBe('OpenSent');
  });

  it('retries the connection from Active when it fails, on the connect-retry timer', () => {
    const r = run([{ type: 'start' }, { type: 'tcp-failed', message: 'ECONNREFUSED' }]);
    expect(r.state.name).toBe('Active');
    const r2 = run([{ type: 'timer', timer: 'connect-retry' }], r.state);
    expect(r2.state.name).toBe('Connect');
    expect(r2.actions).toContainEqual({ type: 'connect' });
  });

  it('sends OPEN with AS_TRANS and the 4-octet AS capability for a large local AS', () => {
    const open = buildOpen({ ...config, localAs: 4200000001, gracefulRestartSec: 120 });
    expect(open.myAs).toBe(23456);
    expect(open.capabilities).toContainEqual({ kind: 'four-octet-as', asn: 4200000001 });
    expect(open.capabilities.find((c) => c.kind === 'graceful-restart')).toMatchObject({ restartTimeSec: 120 });
    const bytes = encodeBgpMessage(open);
    const back = decodeBgpMessage(bytes);
    expect(back.ok && back.value.message).toEqual(open);
  });

  it('rejects a wrong peer AS with NOTIFICATION 2/2', () => {
    const r = run([{ type: 'start' }, { type: 'tcp-connected' }, msg({ ...peerOpen, capabilities: [{ kind: 'four-octet-as', asn: 65009 }, { kind: 'multiprotocol', afi: 1, safi: 133 }] })]);
    expect(r.state.name).toBe('Idle');
    expect(sent(r.actions).at(-1)).toEqual({ type: 'notification', code: 2, subcode: 2, data: '' });
    expect(r.state.lastDown?.code).toBe('bgp_open_peer_as');
  });

  it('rejects a peer sharing no Flowspec family with NOTIFICATION 2/7', () => {
    const r = run([{ type: 'start' }, { type: 'tcp-connected' }, msg({ ...peerOpen, capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }] })]);
    const n = sent(r.actions).at(-1);
    expect(n).toMatchObject({ type: 'notification', code: 2, subcode: 7 });
    expect(r.state.lastDown?.code).toBe('bgp_open_capability');
  });

  it('rejects our own BGP identifier with NOTIFICATION 2/3', () => {
    const r = run([{ type: 'start' }, { type: 'tcp-connected' }, msg({ ...peerOpen, bgpId: config.routerId })]);
    expect(sent(r.actions).at(-1)).toMatchObject({ code: 2, subcode: 3 });
  });

  it('sends KEEPALIVE on the keepalive timer and resets on hold expiry with 4/0', () => {
    const est = run(toEstablished).state;
    const ka = run([{ type: 'timer', timer: 'keepalive' }], est);
    expect(sent(ka.actions)).toEqual([{ type: 'keepalive' }]);
    expect(ka.actions).toContainEqual({ type: 'set-timer', timer: 'keepalive', ms: 10_000 });
    const hold = run([{ type: 'timer', timer: 'hold' }], est);
    expect(hold.state.name).toBe('Idle');
    expect(sent(hold.actions)).toEqual([{ type: 'notification', code: 4, subcode: 0, data: '' }]);
    expect(hold.actions).toContainEqual({ type: 'set-timer', timer: 'idle-hold', ms: 2_000 });
  });

  it('negotiates hold time 0: no keepalives, no hold timer', () => {
    const r = run([{ type: 'start' }, { type: 'tcp-connected' }, msg({ ...peerOpen, holdTimeSec: 0 }), msg({ type: 'keepalive' })]);
    expect(r.state.name).toBe('Established');
    expect(r.state.negotiated?.holdTimeSec).toBe(0);
    expect(run([{ type: 'timer', timer: 'keepalive' }], r.state).actions).toEqual([]);
  });

  it('delivers UPDATEs and restarts the hold timer; route refresh only for negotiated families', () => {
    const est = run(toEstablished).state;
    const upd = run([msg({ type: 'update', withdrawn: [], attributes: [], nlri: [] })], est);
    expect(upd.actions.map((a) => a.type)).toEqual(['set-timer', 'update']);
    const rr = run([msg({ type: 'route-refresh', afi: 1, subtype: 0, safi: 133 }), msg({ type: 'route-refresh', afi: 2, subtype: 0, safi: 133 })], est);
    expect(rr.actions.filter((a) => a.type === 'route-refresh')).toEqual([{ type: 'route-refresh', family: { afi: 1, safi: 133 } }]);
  });

  it('answers a decode error with its NOTIFICATION and goes Idle', () => {
    const est = run(toEstablished).state;
    const r = run([{ type: 'decode-error', error: { code: 'bgp_update_attribute_list', offset: 21, message: 'x', notification: { code: 3, subcode: 1, data: '' } } }], est);
    expect(r.state.name).toBe('Idle');
    expect(sent(r.actions)).toEqual([{ type: 'notification', code: 3, subcode: 1, data: '' }]);
    expect(r.actions.map((a) => a.type)).toContain('down');
  });

  it('treats UPDATE before Established as an FSM error (RFC 6608 5/1, 5/2) and OPEN in Established as 5/3', () => {
    const openSent = run([{ type: 'start' }, { type: 'tcp-connected' }]).state;
    expect(sent(run([msg({ type: 'update', withdrawn: [], attributes: [], nlri: [] })], openSent).actions)).toEqual([{ type: 'notification', code: 5, subcode: 1, data: '' }]);
    const openConfirm = run([msg(peerOpen)], openSent).state;
    expect(sent(run([msg({ type: 'update', withdrawn: [], attributes: [], nlri: [] })], openConfirm).actions)).toEqual([{ type: 'notification', code: 5, subcode: 2, data: '' }]);
    const est = run(toEstablished).state;
    expect(sent(run([msg(peerOpen)], est).actions)).toEqual([{ type: 'notification', code: 5, subcode: 3, data: '' }]);
  });

  it('goes down on a received NOTIFICATION and restarts after the idle hold', () => {
    const est = run(toEstablished).state;
    const down = run([msg({ type: 'notification', code: 6, subcode: 4, data: '' })], est);
    expect(down.state.name).toBe('Idle');
    expect(down.state.lastDown?.received).toMatchObject({ code: 6, subcode: 4 });
    expect(sent(down.actions)).toEqual([]);
    const again = run([{ type: 'timer', timer: 'idle-hold' }], down.state);
    expect(again.state.name).toBe('Connect');
    expect(again.actions).toContainEqual({ type: 'connect' });
  });

  it('stops with Cease/Administrative Shutdown carrying an RFC 8203 message and stays down', () => {
    const est = run(toEstablished).state;
    const r = run([{ type: 'stop', reason: 'bye' }], est);
    expect(sent(r.actions)).toEqual([{ type: 'notification', code: 6, subcode: 2, data: '03627965' }]);
    expect(r.actions.some((a) => a.type === 'set-timer')).toBe(false);
    expect(run([{ type: 'timer', timer: 'idle-hold' }], r.state).state.name).toBe('Idle');
  });

  it('is deterministic: replaying the same events gives the same states and actions', () => {
    const events: FsmEvent[] = [...toEstablished, { type: 'timer', timer: 'keepalive' }, { type: 'tcp-failed', message: 'reset' }, { type: 'timer', timer: 'idle-hold' }, { type: 'tcp-connected' }];
    expect(run(events)).toEqual(run(events));
    expect(run(events).state.name).toBe('OpenSent');
  });
});
