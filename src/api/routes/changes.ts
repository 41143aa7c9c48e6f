// Write-side routes: rule validation/rendering, rollouts (plan, approve, start, pause, resume,
// abort, rollback), the kill switch, the audit log and scenarios. Thin: each calls the same
// control-plane services as the CLI; every write lands in the audit log there.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ChangeRejected, type ControlPlane, DemoBusy, rolloutView } from '../../control-plane/control-plane.js';
import { PlanError, RolloutError } from '../../rollout/index.js';
import { RENDER_FORMATS, type RenderFormat, parseRuleFile, renderRules } from '../../rules/index.js';
import { INCIDENT_NAMES, type IncidentName, runIncident } from '../../scenarios/index.js';
import { ApiError } from '../api-error.js';
import type { ApiCore } from '../app.js';
import { defineRoute } from '../route.js';

const ruleText = z.object({
  text: z.string().min(1).max(2_000_000).describe('rule file: native YAML/JSON, Junos or ExaBGP'),
  format: z.enum(['auto', 'native', 'junos', 'exabgp']).default('auto'),
});

function parseRulesOr400(cp: ControlPlane, body: z.infer<typeof ruleText>) {
  const parsed = parseRuleFile(body.text, { format: body.format, nowMs: cp.clock.nowMs() });
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new ApiError(400, 'api_bad_request', `the rule file has ${errors.length} error(s)`, parsed.findings);
  return parsed;
}

/** Map operational errors of the services to HTTP at the edge. */
async function mapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ChangeRejected) throw new ApiError(422, 'api_rejected', e.message, e.findings);
    if (e instanceof RolloutError) {
      if (e.code === 'rollout_not_found') throw new ApiError(404, 'api_not_found', e.message);
      if (e.code === 'rollout_self_approval') throw new ApiError(403, 'api_approval_required', e.message);
      throw new ApiError(409, 'api_conflict', e.message);
    }
    if (e instanceof PlanError) throw new ApiError(400, 'api_bad_request', e.message, [{ code: e.code, severity: 'error', message: e.message }]);
    if (e instanceof DemoBusy) throw new ApiError(409, 'api_conflict', e.message);
    throw e;
  }
}

export function registerChangeRoutes(cp: ControlPlane, runDemoScenario: () => Promise<unknown>) {
  return (app: FastifyInstance, core: ApiCore): void => {
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/rules/validate', role: 'viewer', summary: 'Validate a rule file against the network and device models; every finding is returned', tags: ['rules'],
      body: ruleText,
      handler: ({ body }) => {
        const parsed = parseRuleFile(body.text, { format: body.format, nowMs: cp.clock.nowMs() });
        const findings = [...parsed.findings, ...cp.validate(parsed.rules)];
        return { format: parsed.format, rules: parsed.rules.map((r) => r.id), accepted: !findings.some((f) => f.severity === 'error'), findings };
      },
    });
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/rules/render', role: 'viewer', summary: 'Render rules for a vendor or tool', tags: ['rules'],
      body: ruleText.extend({ target: z.enum(RENDER_FORMATS as unknown as [RenderFormat, ...RenderFormat[]]) }),
      handler: ({ body }) => {
        const parsed = parseRulesOr400(cp, body);
        return renderRules(parsed.rules, body.target);
      },
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/rollouts', role: 'viewer', summary: 'Rollouts, newest first, as wave timelines', tags: ['rollouts'],
      handler: async () => ({ rollouts: await cp.rolloutViews() }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/rollouts/:id', role: 'viewer', summary: 'One rollout with its event log', tags: ['rollouts'],
      params: z.object({ id: z.string() }),
      handler: ({ params }) =>
        mapErrors(async () => {
          const s = await cp.executor.get(params.id);
          return { ...rolloutView(s), plan: s.plan, events: await cp.store.rolloutEvents(params.id) };
        }),
    });
    const rolloutBody = ruleText.extend({ reason: z.string().min(1).max(1000), withdraw: z.array(z.string()).default([]), bakeSec: z.number().int().min(1).max(86_400).optional() });
    const proposal = (body: z.infer<typeof rolloutBody>, author: string) => {
      const parsed = parseRulesOr400(cp, body);
      return { artifact: { kind: 'flowspec' as const, add: parsed.rules, withdraw: body.withdraw }, author, reason: body.reason, ...(body.bakeSec ? { bakeMs: body.bakeSec * 1000 } : {}) };
    };
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/rollouts/plan', role: 'viewer', summary: 'Dry run: validate a rule file and show the rollout plan (scope, canary, waves, bake, gates); nothing is stored', tags: ['rollouts'],
      body: rolloutBody,
      handler: ({ body, principal }) =>
        mapErrors(async () => {
          const r = cp.previewRollout(proposal(body, principal.subject));
          return { accepted: r.plan !== undefined, findings: r.findings, ...(r.plan ? { plan: r.plan } : {}) };
        }),
    });
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/rollouts', role: 'operator', summary: 'Validate, plan and record a rollout of a rule file (rejected changes return 422 with findings); a wide scope waits for an approver', tags: ['rollouts'],
      body: rolloutBody,
      status: 201,
      handler: ({ body, principal }) => mapErrors(async () => rolloutView(await cp.proposeRollout(proposal(body, principal.subject)))),
    });
    for (const verb of ['approve', 'start', 'pause', 'resume', 'abort', 'rollback'] as const) {
      defineRoute(app, core.tokens, {
        method: 'POST', url: `/api/rollouts/:id/${verb}`, role: verb === 'approve' ? 'approver' : 'operator',
        summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a rollout${verb === 'approve' ? ' (an approver other than its author)' : ''}`, tags: ['rollouts'],
        params: z.object({ id: z.string() }),
        body: z.object({ reason: z.string().max(1000).optional() }).default({}),
        handler: ({ params, body, principal }) =>
          mapErrors(async () => {
            const by = principal.subject;
            const reason = body.reason ?? `${verb} via API`;
            const s =
              verb === 'approve' ? await cp.executor.approve(params.id, by)
              : verb === 'start' ? await cp.executor.start(params.id, by)
              : verb === 'pause' ? await cp.executor.pause(params.id, by, reason)
              : verb === 'resume' ? await cp.executor.resume(params.id, by)
              : verb === 'abort' ? await cp.executor.abort(params.id, by, reason)
              : await cp.executor.rollback(params.id, by, reason);
            return rolloutView(s);
          }),
      });
    }
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/killswitch', role: 'operator', summary: 'Withdraw every change of a kind everywhere, now', tags: ['rollouts'],
      body: z.object({ kind: z.enum(['flowspec', 'waf-regex', 'data-file']), reason: z.string().min(1).max(1000) }),
      handler: async ({ body, principal }) => ({ rolledBack: await cp.killSwitch(body.kind, principal.subject, body.reason) }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/audit', role: 'viewer', summary: 'The append-only audit log, newest first', tags: ['audit'],
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      handler: async ({ query }) => ({ entries: await cp.auditViews(query.limit) }),
    });
    defineRoute(app, core.tokens, {
      method: 'GET', url: '/api/scenarios', role: 'viewer', summary: 'Scenarios that can be run', tags: ['scenarios'],
      handler: () => ({ scenarios: ['demo', ...INCIDENT_NAMES] }),
    });
    defineRoute(app, core.tokens, {
      method: 'POST', url: '/api/scenarios/:name/run', role: 'operator', summary: 'Run the demo pipeline (in the background) or replay an incident (report returned)', tags: ['scenarios'],
      params: z.object({ name: z.enum(['demo', ...INCIDENT_NAMES]) }),
      status: 202,
      handler: async ({ params, principal }) => {
        if (params.name === 'demo') {
          if (cp.demoRunning) throw new ApiError(409, 'api_conflict', new DemoBusy().message);
          await cp.audit(principal.subject, 'run-scenario', params.name, 'demo pipeline from the API');
          void runDemoScenario().catch((e: unknown) => cp.events.publish('demo', { message: `demo failed: ${e instanceof Error ? e.message : String(e)}` }));
          return { started: 'demo' };
        }
        await cp.audit(principal.subject, 'run-scenario', params.name, 'incident replay on a separate simulated network');
        const report = runIncident(params.name as IncidentName, { seed: 1, deviceModels: cp.deviceModels });
        cp.events.publish('scenario', {
          name: report.name,
          message: `${report.title}: ${report.runs.map((r) => `${r.mode} ${r.popsImpacted.length}/${r.popsTotal} PoPs impacted${r.heldAt ? `, held at ${r.heldAt}` : ''}`).join('; ')}`,
        });
        return report;
      },
    });
  };
}
