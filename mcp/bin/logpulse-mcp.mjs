#!/usr/bin/env node
// The stdio MCP server. The sources are TypeScript, run through tsx like the rest of logpulse.
import { register } from 'tsx/esm/api';

register();
await import('../src/stdio.ts');
