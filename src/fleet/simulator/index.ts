export { FleetSimulation, type SimEvent, type SimSummary, type SimulationOptions, countFeatures } from './simulation.js';
export { SimulationTarget } from './io/sim-target.js';
