export * from './assert.js';
export * from './byte-reader.js';
export * from './byte-writer.js';
export * from './clock.js';
export * from './prefix.js';
export * from './prefix-trie.js';
export * from './random.js';
export * from './result.js';
