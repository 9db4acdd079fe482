#!/usr/bin/env node
// The `vn-gateway` executable. It always runs: a bin is usually reached through a symlink
// (node_modules/.bin), so "am I the main module?" checks on the path are not reliable.
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});
