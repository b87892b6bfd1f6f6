#!/usr/bin/env node
// Runs the operator from its TypeScript sources through tsx (the image runs a bundle instead).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
