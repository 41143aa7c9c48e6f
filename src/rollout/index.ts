export { ROLLOUT_CODES } from './codes.js';
export { DEFAULT_GATES, type GateFailure, type HealthGate, evaluateGates } from './gates.js';
export {
  type RolloutAction,
  type RolloutEvent,
  type RolloutPhase,
  type RolloutState,
  type StepResult,
  TERMINAL_PHASES,
  expectedInstalled,
  initialRolloutState,
  type KillSwitchStep,
  killSwitch,
  replayRollout,
  stepRollout,
} from './lifecycle.js';
export { PlanError, type PlanOptions, type RolloutPlan, artifactScope, describeArtifact, planRollout, resolveScope } from './plan.js';
export { type ExecutorListener, RolloutError, RolloutExecutor } from './io/executor.js';
