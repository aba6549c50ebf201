// Why this exists: @modelcontextprotocol/conformance 0.1.16 does
// `import { globSync } from 'fs'` at module load. fs.globSync only exists in
// Node >= 22, and this machine/CI runs Node 20, so the CLI dies with
// "does not provide an export named 'globSync'" before running anything.
// This loader hook answers 'fs'/'node:fs' imports made *from the conformance
// package only* with a wrapper module that re-exports node:fs plus a globSync
// (the real one when present, otherwise a stub that throws if actually called;
// server-mode scenarios do not call it).
//
// Usage: node --import ./fs-globsync-shim.mjs node_modules/@modelcontextprotocol/conformance/dist/index.js ...
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL && context.parentURL.includes('/@modelcontextprotocol/conformance/')) {
    return { url: 'data:text/javascript,' + encodeURIComponent("import fs from 'node:fs'; export * from 'node:fs'; export default fs; export const globSync = fs.globSync ?? (() => { throw new Error('globSync needs Node 22'); });"), shortCircuit: true };
  }
  return next(specifier, context);
}`));
