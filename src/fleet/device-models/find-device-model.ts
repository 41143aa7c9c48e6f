// Which device model (profile) describes a router: same vendor, the router's platform listed in
// the profile's models (case-insensitive), and its OS version inside the profile's range.
// The first matching profile wins, so list narrower profiles before broader ones.
import type { DeviceModel } from '../device-model.js';
import type { Router } from '../network.js';
import { versionInRange } from './compare-versions.js';

export function findDeviceModel(models: readonly DeviceModel[], router: Pick<Router, 'vendor' | 'model' | 'osVersion'>): DeviceModel | undefined {
  const platform = router.model.toLowerCase();
  for (const m of models) {
    if (m.vendor !== router.vendor) continue;
    if (!m.models.some((p) => p.toLowerCase() === platform)) continue;
    if (!versionInRange(router.osVersion, m.osVersions)) continue;
    return m;
  }
  return undefined;
}
