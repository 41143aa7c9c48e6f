// Codes of the fleet domain: simulator input errors and observations, network generator errors.
export const FLEET_CODES = {
  fleet_unknown_pop: 'an enforcement call or health query named a PoP the simulated fleet does not have',
  fleet_time_backwards: 'the simulation was asked to move time by a negative duration',
  fleet_generate_invalid: 'network generator options cannot be met (no PoPs, fewer routers than PoPs, or an empty router mix)',
} as const;

export type FleetCode = keyof typeof FLEET_CODES;

/** An operational failure of the simulated fleet (thrown at the EnforcementTarget seam). */
export class FleetError extends Error {
  override name = 'FleetError';
  constructor(
    readonly code: FleetCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
