#!/usr/bin/env node
// Runs the TypeScript sources through tsx; a built image sets TRIBUTARY_DIST=1 and runs dist/ instead.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
