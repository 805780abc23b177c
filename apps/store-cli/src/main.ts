#!/usr/bin/env node
import { run } from './cli';

run(process.argv).then((code) => {
  process.exitCode = code;
});
