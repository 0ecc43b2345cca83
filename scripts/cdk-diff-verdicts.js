#!/usr/bin/env node
// Runs the AWS CDK's template diff engine (@aws-cdk/cloudformation-diff, as
// pinned in package.json) over the diff corpus and prints its verdicts as ONE
// JSON object on stdout, keyed "<category>/<case>", in the shape of the
// "expected" member of each case.json:
//   {"resources": {"Id": {"change": "add|remove|modify", "replacement": "none|may|will"}},
//    "iamChanged": bool, "securityGroupsChanged": bool, "broadening": bool,
//    "error": "..." (only when the engine threw)}
// Usage: node scripts/cdk-diff-verdicts.js [CASE_DIR ...]   (default: every case)
//
// YAML: no YAML parser is in the engine's dependency tree, so YAML cases are
// read from their JSON form, <name>.yaml.json, which scripts/corpus-yaml-to-json
// writes (CloudFormation's short-form tags in long form). A missing or stale
// one is reported as that case's error.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..');
const corpus = path.join(root, 'diff-corpus');
const toolsDir = process.env.SYNTH_NODE_TOOLS || root;
let cfnDiff;
try {
  cfnDiff = require(path.join(toolsDir, 'node_modules', '@aws-cdk', 'cloudformation-diff'));
} catch (e) {
  process.stderr.write('error: @aws-cdk/cloudformation-diff is not installed: run scripts/setup-node\n');
  process.exit(2);
}
const { fullDiff, ResourceImpact } = cfnDiff;

function loadTemplate(dir, base) {
  const jsonPath = path.join(dir, base + '.json');
  if (fs.existsSync(jsonPath)) return JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const yamlPath = path.join(dir, base + '.yaml');
  if (!fs.existsSync(yamlPath)) throw new Error(`no ${base}.json or ${base}.yaml`);
  const convPath = yamlPath + '.json';
  if (!fs.existsSync(convPath)) throw new Error(`${base}.yaml.json missing: run scripts/corpus-yaml-to-json`);
  const conv = JSON.parse(fs.readFileSync(convPath, 'utf8'));
  const sha = crypto.createHash('sha256').update(fs.readFileSync(yamlPath)).digest('hex');
  if (conv.sourceSha256 !== sha) throw new Error(`${base}.yaml.json is stale: run scripts/corpus-yaml-to-json`);
  return conv.template;
}

function replacementOf(impact) {
  if (impact === ResourceImpact.WILL_REPLACE) return 'will';
  if (impact === ResourceImpact.MAY_REPLACE) return 'may';
  return 'none';
}

function verdict(dir) {
  const oldT = loadTemplate(dir, 'old');
  const newT = loadTemplate(dir, 'new');
  const diff = fullDiff(oldT, newT);
  const resources = {};
  diff.resources.forEachDifference((id, change) => {
    if (!change.isDifferent) return;
    let kind = 'modify';
    if (change.isAddition) kind = 'add';
    else if (change.isRemoval) kind = 'remove';
    resources[id] = {
      change: kind,
      replacement: kind === 'modify' ? replacementOf(change.changeImpact) : 'none',
    };
  });
  return {
    resources,
    iamChanged: diff.iamChanges.hasChanges,
    securityGroupsChanged: diff.securityGroupChanges.hasChanges,
    // TemplateDiff.permissionsBroadened = iamChanges.permissionsBroadened || securityGroupChanges.rulesAdded
    broadening: diff.permissionsBroadened,
  };
}

function caseDirs(args) {
  if (args.length) return args.map((a) => path.resolve(a));
  const out = [];
  for (const cat of fs.readdirSync(corpus).sort()) {
    const cdir = path.join(corpus, cat);
    if (!fs.statSync(cdir).isDirectory()) continue;
    for (const c of fs.readdirSync(cdir).sort()) {
      if (fs.existsSync(path.join(cdir, c, 'case.json'))) out.push(path.join(cdir, c));
    }
  }
  return out;
}

const result = {};
for (const dir of caseDirs(process.argv.slice(2))) {
  const key = path.basename(path.dirname(dir)) + '/' + path.basename(dir);
  try {
    result[key] = verdict(dir);
  } catch (e) {
    result[key] = { resources: {}, iamChanged: false, securityGroupsChanged: false, broadening: false, error: String(e && e.stack ? e.message : e) };
  }
}
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
