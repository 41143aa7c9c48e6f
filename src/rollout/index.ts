export { ROLLOUT_CODES, type RolloutCode } from './codes.js';
export { DEFAULT_GATES, type GateFailure, type HealthGate, evaluateGates } from './gates.js';
export {
  type EnforcementFailure,
  LIVE_PHASES,
  type RolloutAction,
  type RolloutErrorCode,
  type RolloutEvent,
  type RolloutPhase,
  type RolloutState,
  SYSTEM_ACTOR,
  type StepResult,
  TERMINAL_PHASES,
  activePops,
  confirmActions,
  expectedInstalled,
  expectedRuleAt,
  expectedRules,
  initialRolloutState,
  type KillSwitchStep,
  killSwitch,
  pendingActions,
  replayRollout,
  ruleHolders,
  stepRollout,
} from './lifecycle.js';
export { PlanError, type PlanOptions, type RolloutPlan, artifactScope, describeArtifact, planRollout, resolveScope } from './plan.js';
export { type ExecutorListener, type ExecutorOptions, type RecoveryCorrection, RolloutError, RolloutExecutor } from './io/executor.js';
