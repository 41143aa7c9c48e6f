// Codes produced by src/rollout.
export const ROLLOUT_CODES = {
  rollout_scope_empty: 'the change reaches no PoP',
  rollout_scope_unknown: "the change's scope names PoPs or regions the network does not have",
  rollout_canary_out_of_scope: 'the requested canary PoP is not in the change scope',
  rollout_plan_invalid: 'a planning option is out of range (negative bake, wave shares not growing within (0, 1], wave sizes not positive)',
  rollout_invalid_transition: 'the event is not allowed in the rollout state (e.g. resume a running rollout)',
  rollout_self_approval: 'the author of a wide-scope change tried to approve it',
  rollout_not_found: 'no rollout with that id',
  rollout_rejected_by_validation: 'the change failed validation and never left it',
  rollout_revert_pending: 'a rollback or kill switch could not withdraw the change from some PoPs yet; the rollout stays rolling-back and the reverts are retried',
} as const;

export type RolloutCode = keyof typeof ROLLOUT_CODES;
