#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv);
process.exitCode = code;
// A driver that leaves a handle open must not keep a finished command running.
setTimeout(() => process.exit(code), 5_000).unref();
