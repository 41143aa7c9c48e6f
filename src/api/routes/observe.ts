// Observation routes: network, fleet health, attacks, signatures, and proposing a rule for an attack.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ControlPlane } from '../../control-plane/control-plane.js';
import { ApiError } from '../api-error.js';
import type { ApiCore } from '../app.js';
import { defineRoute } from '../route.js';

export function registerObserveRoutes(cp: ControlPlane) {
  return (app: FastifyInstance, core: ApiCore): void => {
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/network', role: 'viewer', summary: 'The network description (PoPs, routers, owned space, MTU)', tags: ['fleet'],
      handler: () => ({ network: cp.network }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/fleet', role: 'viewer', summary: 'Health of every PoP and router (simulated fleet)', tags: ['fleet'],
      handler: () => ({ atMs: cp.clock.nowMs(), failingShare: cp.sim.failingShare(), pops: cp.fleetView() }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/fleet/:popId', role: 'viewer', summary: 'One PoP: router health, installed rules, load', tags: ['fleet'],
      params: z.object({ popId: z.string() }),
      handler: ({ params }) => {
        const pop = cp.popDetail(params.popId);
        if (!pop) throw new ApiError(404, 'api_not_found', `no PoP ${params.popId} in the network`);
        return pop;
      },
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/attacks', role: 'viewer', summary: 'Detected attacks with rate series, signature and proposed rule', tags: ['attacks'],
      handler: () => ({ attacks: cp.attackViews() }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/attacks/:id', role: 'viewer', summary: 'One attack', tags: ['attacks'],
      params: z.object({ id: z.string() }),
      handler: ({ params }) => {
        const a = cp.attackViews().find((x) => x.id === params.id);
        if (!a) throw new ApiError(404, 'api_not_found', `no attack ${params.id}`);
        return a;
      },
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/signatures', role: 'viewer', summary: 'Attack signatures (what separates each attack from legitimate traffic) with coverage and collateral', tags: ['attacks'],
      handler: () => ({ signatures: cp.signatureViews() }),
    });
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/rules/propose', role: 'operator', summary: 'Profile a detected attack into a signature and propose a rule for it, with its validation findings', tags: ['rules'],
      body: z.object({ attackId: z.string().min(1) }),
      handler: async ({ body, principal }) => {
        const rec = cp.proposeForAttack(body.attackId, principal.subject);
        if (!rec) throw new ApiError(404, 'api_not_found', `no attack ${body.attackId} with samples in this process (attacks loaded from the store cannot be profiled again)`);
        await cp.audit(principal.subject, 'propose-rule', rec.rule!.id, `for attack ${body.attackId}`, { signature: rec.signature!.summary });
        return { signature: rec.signature, rule: rec.rule, findings: rec.findings };
      },
    });
  };
}

