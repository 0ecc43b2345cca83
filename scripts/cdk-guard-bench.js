#!/usr/bin/env node
// How long the AWS CDK's Guard policy validation takes on a template: the
// CfnGuardValidator plugin of @cdklabs/cdk-validator-cfnguard (what
// `cdk synth` runs for each stack when the app lists it in
// `policyValidationBeta1`), with its Control Tower rules off and synth's
// rule pack as its rules, called exactly as the CDK calls it. The plugin
// runs the cfn-guard command it ships, once per validation.
//
//   node scripts/cdk-guard-bench.js [--runs N] RULES_DIR TEMPLATE...
//
// Prints one JSON line: {"runs", "median_ms", "min_ms", "violations"}.
'use strict';

const path = require('path');

function main() {
  const args = process.argv.slice(2);
  let runs = 20;
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') {
      runs = Number(args[++i]);
    } else {
      rest.push(args[i]);
    }
  }
  if (rest.length < 2 || !(runs > 0)) {
    process.stderr.write('usage: cdk-guard-bench.js [--runs N] RULES_DIR TEMPLATE...\n');
    process.exit(2);
  }
  const root = path.join(__dirname, '..');
  const tools = process.env.SYNTH_NODE_TOOLS || root;
  const { CfnGuardValidator } = require(
    path.join(tools, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard'),
  );
  const [rules, ...templates] = rest.map((p) => path.resolve(p));
  const validator = new CfnGuardValidator({
    controlTowerRulesEnabled: false,
    rules: [rules],
  });
  const context = { templatePaths: templates };
  let violations = 0;
  const once = () => {
    const report = validator.validate(context);
    violations = report.violations.length;
  };
  once();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    once();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  process.stdout.write(
    JSON.stringify({ runs, median_ms: median, min_ms: times[0], violations }) + '\n',
  );
}

main();
