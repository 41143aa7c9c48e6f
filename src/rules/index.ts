// The rules domain: the MitigationRule model, rule file parsers (native YAML/JSON, Junos,
// ExaBGP) and vendor renderers. The validator adds `export * from './validate/index.js'`.
export * from './codes.js';
export * from './model.js';
export * from './parse/index.js';
export * from './render/index.js';
export * from './validate/index.js';
