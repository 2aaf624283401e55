export * from './limits.js';
export * from './frames.js';
export * from './encode.js';
export * from './decoder.js';
export * from './validate.js';
export * from './names.js';
export * from './sanitize.js';
export * from './plain-text.js';
