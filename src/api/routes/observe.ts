// Read-side routes: network, fleet health, attacks.
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
      method: 'POST', url: '/api/attacks/:id/propose', role: 'operator', summary: 'Profile an attack and propose a validated rule', tags: ['attacks'],
      params: z.object({ id: z.string() }),
      handler: ({ params }) => {
        const rec = cp.proposeForAttack(params.id);
        if (!rec) throw new ApiError(404, 'api_not_found', `no attack ${params.id}`);
        return { signature: rec.signature, rule: rec.rule, findings: rec.findings };
      },
    });
  };
}

