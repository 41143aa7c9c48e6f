// Vendor renderers: MitigationRule[] -> configuration text, with findings for every rule or
// component a format cannot express (such rules are left out, never widened or trimmed).
import { unreachable } from '../../lib/assert.js';
import type { MitigationRule } from '../model.js';
import { renderBird } from './bird.js';
import type { RenderFormat, RenderOptions, RenderResult } from './common.js';
import { renderExabgp } from './exabgp.js';
import { renderGobgp } from './gobgp.js';
import { renderIosxr } from './iosxr.js';
import { renderJunos } from './junos.js';
import { renderNative } from './native.js';
import { renderNftables } from './nftables.js';

export { birdExtCommunities } from './bird.js';
export { RENDER_FORMATS, float32Bits, trafficActionFlags, type RenderFormat, type RenderOptions, type RenderResult } from './common.js';
export { toNativeObject } from './native.js';

export function renderRules(rules: readonly MitigationRule[], format: RenderFormat, opts: RenderOptions = {}): RenderResult {
  switch (format) {
    case 'junos':
      return renderJunos(rules);
    case 'iosxr':
      return renderIosxr(rules, opts);
    case 'exabgp':
      return renderExabgp(rules, opts);
    case 'gobgp':
      return renderGobgp(rules, opts);
    case 'bird':
      return renderBird(rules, opts);
    case 'nftables':
      return renderNftables(rules, opts);
    case 'native':
      return renderNative(rules);
    default:
      return unreachable(format, 'render format');
  }
}
