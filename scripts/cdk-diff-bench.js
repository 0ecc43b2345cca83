#!/usr/bin/env node
// Times the AWS CDK's template diff (`fullDiff` of @aws-cdk/cloudformation-diff,
// as pinned in package.json) on one pair of templates, for the benchmark
// suite's side-by-side with synth's engine: both templates are read and parsed
// once, then WARMUP untimed calls, then RUNS timed calls, one at a time.
// fullDiff copies its inputs before normalizing them, so every call starts
// from the same objects.
//
// Usage: node scripts/cdk-diff-bench.js OLD.json NEW.json RUNS WARMUP
// Prints one JSON object: {"medianMs", "minMs", "timesMs" (every timed call,
// in order), "runs", "node", "package",
// "resources": {"old", "new"}, "changes": {"add", "modify", "remove", "replace"}}.
'use strict';
const fs = require('fs');
const path = require('path');

const [oldPath, newPath, runsArg, warmupArg] = process.argv.slice(2);
const runs = Number(runsArg);
const warmup = Number(warmupArg);
if (!oldPath || !newPath || !(runs > 0) || !(warmup >= 0)) {
  process.stderr.write('usage: node scripts/cdk-diff-bench.js OLD.json NEW.json RUNS WARMUP\n');
  process.exit(2);
}
const toolsDir = process.env.SYNTH_NODE_TOOLS || path.resolve(__dirname, '..');
const pkgDir = path.join(toolsDir, 'node_modules', '@aws-cdk', 'cloudformation-diff');
let cfnDiff;
try {
  cfnDiff = require(pkgDir);
} catch (e) {
  process.stderr.write('error: @aws-cdk/cloudformation-diff is not installed: run scripts/setup-node\n');
  process.exit(3);
}
const { fullDiff, ResourceImpact } = cfnDiff;

const before = JSON.parse(fs.readFileSync(oldPath, 'utf8'));
const after = JSON.parse(fs.readFileSync(newPath, 'utf8'));

let last;
for (let i = 0; i < warmup; i++) last = fullDiff(before, after);
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  last = fullDiff(before, after);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const order = times.slice();
times.sort((a, b) => a - b);
const mid = Math.floor(times.length / 2);
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;

const changes = { add: 0, modify: 0, remove: 0, replace: 0 };
last.resources.forEachDifference((_id, c) => {
  if (c.isAddition) changes.add++;
  else if (c.isRemoval) changes.remove++;
  else {
    changes.modify++;
    if (c.changeImpact === ResourceImpact.WILL_REPLACE || c.changeImpact === ResourceImpact.MAY_REPLACE) changes.replace++;
  }
});
const count = (t) => Object.keys(t.Resources || {}).length;
process.stdout.write(JSON.stringify({
  medianMs: median,
  minMs: times[0],
  timesMs: order,
  runs,
  node: process.version,
  package: JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version,
  resources: { old: count(before), new: count(after) },
  changes,
  broadening: last.permissionsBroadened,
}) + '\n');
