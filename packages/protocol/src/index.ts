export * from './limits.js';
export * from './frames.js';
