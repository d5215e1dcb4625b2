#!/usr/bin/env node
// mbuzz-ingest: the service's command line. Each command group lives in src/cli/.
import packageJson from '../package.json' with { type: 'json' };
import { runCli } from './cli/run-cli.js';

const code = await runCli(process.argv, packageJson.version);
// Every command has finished and closed what it opened; exit even if a stuck database socket lingers.
process.exit(code);
