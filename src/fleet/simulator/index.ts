export { FleetSimulation, type SimEvent, type SimSummary, type SimulationOptions, countFeatures, measureWafCpuShare, PROXY_REQUESTS_PER_CORE_SEC, tcamEntriesFor } from './simulation.js';
export { SimulationTarget } from './io/sim-target.js';
