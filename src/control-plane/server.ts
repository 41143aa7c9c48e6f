// Starts the HTTP API + dashboard over a ControlPlane (I/O shell).
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../api/app.js';
import { registerChangeRoutes } from '../api/routes/changes.js';
import { registerObserveRoutes } from '../api/routes/observe.js';
import { storeTokenVerifier } from '../api/store-tokens.js';
import type { ControlPlane } from './control-plane.js';

export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startServer(cp: ControlPlane, o: { host: string; port: number; runDemo: () => Promise<unknown>; logger?: boolean }): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApiServer({ tokens: storeTokenVerifier(cp.store), events: cp.events, metrics: cp.metrics.registry, webRoot: WEB_ROOT, logger: o.logger ?? false }, [
    registerObserveRoutes(cp),
    registerChangeRoutes(cp, o.runDemo),
  ]);
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return { app, url: `http://${o.host}:${port}` };
}
