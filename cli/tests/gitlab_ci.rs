//! Judges `.gitlab-ci.yml`, the pipeline this project recommends:
//!
//! - its structure: rules regexes are RE2-compatible and anchored, deploy
//!   runs only from `region/<region>` branches on the synth job's artifact,
//!   diffs only in merge request pipelines, and so on;
//! - every `synth` invocation in its scripts parses with the CLI's own
//!   parser;
//! - with gitlab-ci-local (installed by `scripts/setup-node`, which
//!   `scripts/test` runs): GitLab's CI schema, and which jobs run, and how,
//!   on `main`, a feature branch, region branches and in merge requests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use regex::Regex;
use serde_yaml::{Mapping, Value};
use synth_cli::cli::{Cli, Command as SynthCommand, DiffFormat};
use synth_cli::deploy::Approval;

// ---------------------------------------------------------------------------
// The pipeline file

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

fn pipeline_text() -> String {
    let path = root().join(".gitlab-ci.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pipeline() -> Mapping {
    match serde_yaml::from_str(&pipeline_text()).expect(".gitlab-ci.yml is YAML") {
        Value::Mapping(m) => m,
        other => panic!(".gitlab-ci.yml is not a mapping: {other:?}"),
    }
}

/// Top-level keys that are not jobs.
const GLOBAL_KEYS: [&str; 10] = [
    "workflow",
    "stages",
    "variables",
    "default",
    "include",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

fn str_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v:?}"))
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::from(key))
}

/// Every entry that may carry rules or scripts: jobs and hidden templates,
/// as written (before `extends`).
fn entries(p: &Mapping) -> Vec<(String, Mapping)> {
    p.iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?;
            if GLOBAL_KEYS.contains(&name) {
                return None;
            }
            Some((name.to_string(), v.as_mapping()?.clone()))
        })
        .collect()
}

/// `b` merged over `a` the way `extends` merges: mappings deeply, anything
/// else replaced.
fn deep_merge(a: &Mapping, b: &Mapping) -> Mapping {
    let mut out = a.clone();
    for (k, v) in b {
        let merged = match (out.get(k), v) {
            (Some(Value::Mapping(old)), Value::Mapping(new)) => {
                Value::Mapping(deep_merge(old, new))
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

/// A job with its `extends` applied (templates in order, the job last).
fn resolved(p: &Mapping, name: &str) -> Mapping {
    fn go(p: &Mapping, name: &str, depth: usize) -> Mapping {
        assert!(depth < 11, "extends nests too deep at {name}");
        let job = get(p, name)
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| panic!("no job or template `{name}` in .gitlab-ci.yml"));
        let parents: Vec<String> = match get(job, "extends") {
            None => vec![],
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Sequence(s)) => s.iter().map(|v| str_of(v).to_string()).collect(),
            Some(other) => panic!("{name}: extends is {other:?}"),
        };
        let mut base = Mapping::new();
        for parent in &parents {
            base = deep_merge(&base, &go(p, parent, depth + 1));
        }
        let mut own = job.clone();
        own.remove(Value::from("extends"));
        deep_merge(&base, &own)
    }
    go(p, name, 0)
}

fn job(p: &Mapping, name: &str) -> Mapping {
    assert!(get(p, name).is_some(), ".gitlab-ci.yml has no job `{name}`");
    resolved(p, name)
}

/// The lines a job's shell runs: before_script, script, after_script (nested
/// lists flattened as GitLab does).
fn script_entries(job: &Mapping) -> Vec<String> {
    fn flatten(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Sequence(items) => items.iter().for_each(|i| flatten(i, out)),
            other => panic!("a script entry is {other:?}"),
        }
    }
    let mut out = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        if let Some(v) = get(job, key) {
            flatten(v, &mut out);
        }
    }
    out
}

fn rules(job: &Mapping) -> Vec<Mapping> {
    match get(job, "rules") {
        None => vec![],
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|r| {
                r.as_mapping()
                    .cloned()
                    .unwrap_or_else(|| panic!("rule {r:?}"))
            })
            .collect(),
        Some(other) => panic!("rules is {other:?}"),
    }
}

fn rule_if(rule: &Mapping) -> Option<&str> {
    get(rule, "if").map(str_of)
}

fn rule_when(rule: &Mapping) -> &str {
    get(rule, "when").map(str_of).unwrap_or("on_success")
}

// ---------------------------------------------------------------------------
// Regexes in rules

/// The regex literals (`=~ /.../` and `!~ /.../`) of a rules expression.
fn regex_literals(expr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if (b[i] == b'=' || b[i] == b'!') && b[i + 1] == b'~' {
            let mut j = i + 2;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            assert!(
                j < b.len() && b[j] == b'/',
                "`{expr}`: the right side of a regex match must be a /regex/ literal"
            );
            j += 1;
            let start = j;
            while j < b.len() && b[j] != b'/' {
                if b[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            assert!(j < b.len(), "`{expr}`: unterminated /regex/");
            let pattern = expr[start..j].to_string();
            j += 1;
            let flags_start = j;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            out.push((pattern, expr[flags_start..j].to_string()));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// True when the whole pattern is bound to the start and end of the value:
/// `^...$` with no alternation outside groups.
fn is_anchored(pattern: &str) -> bool {
    let starts = pattern.starts_with('^') || pattern.starts_with("\\A");
    let ends = (pattern.ends_with('$') && !pattern.ends_with("\\$")) || pattern.ends_with("\\z");
    let (mut depth, mut in_class, mut escaped) = (0i32, false, false);
    for c in pattern.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => return false,
            _ => {}
        }
    }
    starts && ends
}

/// Every `(where, pattern, flags)` in the workflow's and the entries' rules.
fn all_rule_regexes(p: &Mapping) -> Vec<(String, String, String)> {
    let mut sources: Vec<(String, Mapping)> = entries(p);
    if let Some(w) = get(p, "workflow").and_then(Value::as_mapping) {
        sources.push(("workflow".to_string(), w.clone()));
    }
    let mut out = Vec::new();
    for (name, entry) in sources {
        for rule in rules(&entry) {
            if let Some(expr) = rule_if(&rule) {
                for (pattern, flags) in regex_literals(expr) {
                    out.push((name.clone(), pattern, flags));
                }
            }
        }
    }
    out
}

/// The one region-branch regex the pipeline uses (all copies equal).
fn region_regex(p: &Mapping) -> Regex {
    let patterns: Vec<String> = all_rule_regexes(p)
        .into_iter()
        .map(|(_, pattern, _)| pattern)
        .filter(|pattern| pattern.contains("region"))
        .collect();
    assert!(!patterns.is_empty(), "no region branch regex in the rules");
    assert!(
        patterns.iter().all(|x| x == &patterns[0]),
        "the copies of the region branch regex differ: {patterns:#?}"
    );
    Regex::new(&patterns[0]).unwrap()
}

#[test]
fn rules_regexes_are_re2_compatible_and_anchored() {
    let p = pipeline();
    let found = all_rule_regexes(&p);
    assert!(
        found.len() >= 4,
        "expected the region regex in workflow, diff and deploy rules: {found:?}"
    );
    for (name, pattern, flags) in &found {
        // The regex crate's syntax is RE2's: no look-around, no backreferences.
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.contains('i'))
            .build();
        assert!(
            re.is_ok(),
            "{name}: /{pattern}/ is not RE2-compatible: {:?}",
            re.err()
        );
        assert!(
            is_anchored(pattern),
            "{name}: /{pattern}/ is not anchored as ^...$"
        );
        assert!(
            flags.is_empty(),
            "{name}: /{pattern}/{flags}: region names are lower case"
        );
    }

    let re = region_regex(&p);
    for region in synth::regions::REGIONS {
        let branch = format!("region/{}", region.name);
        assert!(
            re.is_match(&branch),
            "{branch} is a region branch but /{re}/ rejects it"
        );
        assert!(
            matches!(
                synth_cli::region_resolution::region_of_branch(&branch),
                Ok(Some(_))
            ),
            "synth rejects {branch}"
        );
    }
    for not_a_region_branch in [
        "main",
        "feature/x",
        "region/",
        "region/us-east",
        "region/US-EAST-2",
        "region/us-east-2-old",
        "region/us-east-2/hotfix",
        "old/region/us-east-2",
        "xregion/us-east-2",
        "region/us_east_2",
    ] {
        assert!(
            !re.is_match(not_a_region_branch),
            "/{re}/ accepts `{not_a_region_branch}`"
        );
    }
}

#[test]
fn anchoring_and_literal_extraction_helpers() {
    assert!(is_anchored("^region\\/[a-z]+$"));
    assert!(is_anchored("^(a|b)$"));
    assert!(!is_anchored("^a|b$"));
    assert!(!is_anchored("^region\\/"));
    assert!(!is_anchored("region$"));
    assert!(!is_anchored("^a\\$"));
    assert!(is_anchored("^[|]$"));
    assert_eq!(
        regex_literals("$A =~ /^x\\/y$/ && $B !~ /z/i || $C == \"/\""),
        vec![("^x\\/y$".into(), "".into()), ("z".into(), "i".into())]
    );
}

// ---------------------------------------------------------------------------
// Shell words

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// A word with its quotes removed and nothing expanded; `$@` (quoted or
    /// not) is kept as the word `$@`.
    Word(String),
    /// `;`, `&`, `&&`, `||`, `|`, `(`, `)` or a newline (as `;`).
    Op(String),
    /// `>`, `>>`, `<`, `>&`, `<&`, with the IO number before it (`2>`).
    Redirect(String),
}

/// Splits shell text into words and operators, as sh does before expansion.
fn shell_split(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;

    fn end_word(toks: &mut Vec<Tok>, word: &mut String, in_word: &mut bool) {
        if *in_word {
            toks.push(Tok::Word(std::mem::take(word)));
            *in_word = false;
        }
    }
    /// Copies `$(...)`, `${...}` or a plain `$` starting at `i` into `word`
    /// unexpanded; returns the index after it.
    fn substitution(chars: &[char], mut i: usize, word: &mut String) -> usize {
        let (open, close) = match chars.get(i + 1) {
            Some('(') => ('(', ')'),
            Some('{') => ('{', '}'),
            _ => {
                word.push('$');
                return i + 1;
            }
        };
        let mut depth = 0;
        while i < chars.len() {
            let c = chars[i];
            word.push(c);
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            i += 1;
        }
        panic!(
            "unterminated ${open} in `{}`",
            chars.iter().collect::<String>()
        );
    }

    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                end_word(&mut toks, &mut word, &mut in_word);
                i += 1;
            }
            '\n' => {
                end_word(&mut toks, &mut word, &mut in_word);
                toks.push(Tok::Op(";".into()));
                i += 1;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') => {}
                    Some(&n) => {
                        word.push(n);
                        in_word = true;
                    }
                    None => {}
                }
                i += 2;
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                assert!(i < chars.len(), "unterminated ' in `{text}`");
                i += 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    match chars[i] {
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars[i + 1]);
                            i += 2;
                        }
                        '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
                        '$' => i = substitution(&chars, i, &mut word),
                        other => {
                            word.push(other);
                            i += 1;
                        }
                    }
                }
                assert!(i < chars.len(), "unterminated \" in `{text}`");
                i += 1;
            }
            '$' => {
                in_word = true;
                i = substitution(&chars, i, &mut word);
            }
            '`' => {
                in_word = true;
                word.push('`');
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    word.push(chars[i]);
                    i += 1;
                }
                word.push('`');
                i += 1;
            }
            '>' | '<' => {
                // An all-digit word right before it is an IO number.
                let mut op = String::new();
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    op = std::mem::take(&mut word);
                    in_word = false;
                }
                end_word(&mut toks, &mut word, &mut in_word);
                op.push(c);
                if matches!(chars.get(i + 1), Some('>' | '&')) {
                    op.push(chars[i + 1]);
                    i += 1;
                }
                i += 1;
                toks.push(Tok::Redirect(op));
            }
            ';' | '&' | '|' | '(' | ')' => {
                end_word(&mut toks, &mut word, &mut in_word);
                let mut op = c.to_string();
                if (c == '&' || c == '|') && chars.get(i + 1) == Some(&c) {
                    op.push(c);
                    i += 1;
                }
                i += 1;
                toks.push(Tok::Op(op));
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    end_word(&mut toks, &mut word, &mut in_word);
    toks
}

/// A simple command: its words, and where its standard output goes.
#[derive(Debug, Default, PartialEq, Eq)]
struct SimpleCommand {
    words: Vec<String>,
    stdout: Option<String>,
}

const RESERVED: [&str; 11] = [
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "exec",
];

/// The simple commands of shell text, with leading reserved words and
/// variable assignments removed.
fn simple_commands(text: &str) -> Vec<SimpleCommand> {
    let mut out = Vec::new();
    let mut current = SimpleCommand::default();
    let mut toks = shell_split(text).into_iter();
    let assignment = Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*=").unwrap();
    let mut flush = |c: &mut SimpleCommand| {
        let mut c = std::mem::take(c);
        let skip = c
            .words
            .iter()
            .take_while(|w| RESERVED.contains(&w.as_str()) || assignment.is_match(w))
            .count();
        c.words.drain(..skip);
        if !c.words.is_empty() {
            out.push(c);
        }
    };
    while let Some(tok) = toks.next() {
        match tok {
            Tok::Word(w) => current.words.push(w),
            Tok::Op(_) => flush(&mut current),
            Tok::Redirect(op) => {
                let target = match toks.next() {
                    Some(Tok::Word(w)) => w,
                    other => panic!("redirection {op} without a target ({other:?}) in `{text}`"),
                };
                if matches!(op.as_str(), ">" | ">>" | "1>" | "1>>") {
                    current.stdout = Some(target);
                }
            }
        }
    }
    flush(&mut current);
    out
}

/// One `synth` command line found in a script.
#[derive(Debug, Clone)]
struct Invocation {
    job: String,
    /// The script text it came from.
    line: String,
    /// `synth` and its arguments, unexpanded; `$@` removed.
    argv: Vec<String>,
    /// Whether `"$@"` stood among the arguments.
    takes_positional: bool,
    stdout: Option<String>,
}

/// The arguments of `synth` if this command runs it: `synth ...`,
/// `bin/synth ...`, `"$CI_PROJECT_DIR/bin/synth" ...`, or
/// `cargo run ... --bin synth ... -- ...`.
fn synth_args(words: &[String]) -> Option<Vec<String>> {
    let command = words.first()?;
    if command == "synth" || command.ends_with("/synth") {
        return Some(words[1..].to_vec());
    }
    if command == "cargo" && words.get(1).map(String::as_str) == Some("run") {
        let dashdash = words.iter().position(|w| w == "--");
        let options = &words[..dashdash.unwrap_or(words.len())];
        let runs_synth = options
            .windows(2)
            .any(|w| w[0] == "--bin" && w[1] == "synth")
            || options.iter().any(|w| w == "--bin=synth");
        if runs_synth {
            return Some(
                dashdash
                    .map(|d| words[d + 1..].to_vec())
                    .unwrap_or_default(),
            );
        }
    }
    None
}

fn invocations_in(job: &str, entries: &[String]) -> Vec<Invocation> {
    let mut out = Vec::new();
    for line in entries {
        for c in simple_commands(line) {
            if let Some(args) = synth_args(&c.words) {
                let takes_positional = args.iter().any(|a| a == "$@");
                let mut argv = vec!["synth".to_string()];
                argv.extend(args.into_iter().filter(|a| a != "$@"));
                out.push(Invocation {
                    job: job.to_string(),
                    line: line.clone(),
                    argv,
                    takes_positional,
                    stdout: c.stdout.clone(),
                });
            }
        }
    }
    out
}

/// What `set -- "$@" ...` lines of a job append to the positional
/// parameters.
fn positional_additions(entries: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in entries {
        for c in simple_commands(line) {
            if c.words.len() > 3 && c.words[0] == "set" && c.words[1] == "--" && c.words[2] == "$@"
            {
                out.extend(c.words[3..].iter().cloned());
            }
        }
    }
    out
}

fn parse(inv: &Invocation) -> Cli {
    parse_argv(inv, &inv.argv)
}

fn parse_argv(inv: &Invocation, argv: &[String]) -> Cli {
    <Cli as clap::Parser>::try_parse_from(argv).unwrap_or_else(|e| {
        panic!(
            "{}: `{}` does not parse with synth's command line:\n{e}\nin:\n{}",
            inv.job,
            argv.join(" "),
            inv.line
        )
    })
}

/// Every synth invocation of every job and template, by name.
fn all_invocations(p: &Mapping) -> Vec<Invocation> {
    entries(p)
        .iter()
        .flat_map(|(name, _)| invocations_in(name, &script_entries(&resolved(p, name))))
        .collect()
}

fn words(text: &str) -> Vec<Vec<String>> {
    simple_commands(text).into_iter().map(|c| c.words).collect()
}

#[test]
fn shell_splitting_expands_nothing() {
    assert_eq!(
        words("bin/synth --app out diff --against \"$base/out\" > synth-diff.md"),
        vec![vec![
            "bin/synth",
            "--app",
            "out",
            "diff",
            "--against",
            "$base/out"
        ]]
    );
    let c = &simple_commands("a 2>/dev/null >> log; b")[0];
    assert_eq!(
        (c.words.clone(), c.stdout.clone()),
        (vec!["a".to_string()], Some("log".into()))
    );
    assert_eq!(
        words("(cd \"$d\" && X=\"a b\" \"$CI_PROJECT_DIR/bin/synth\" --out '$o') # note"),
        vec![
            vec!["cd", "$d"],
            vec!["$CI_PROJECT_DIR/bin/synth", "--out", "$o"]
        ]
    );
    assert_eq!(
        words("if [ -n \"${A:-}\" ]; then set -- \"$@\" --x \"$(echo a b)\"; fi"),
        vec![
            vec!["[", "-n", "${A:-}", "]"],
            vec!["set", "--", "$@", "--x", "$(echo a b)"],
            vec!["fi"]
        ]
    );
    assert_eq!(
        words("echo 'it''s' \\\n  x|y"),
        vec![vec!["echo", "its", "x"], vec!["y"]]
    );
    assert_eq!(
        synth_args(
            &["cargo", "run", "--locked", "--bin", "synth", "--", "--out", "o"].map(String::from)
        ),
        Some(vec!["--out".to_string(), "o".to_string()])
    );
    assert_eq!(
        synth_args(&["cp", "target/debug/synth", "bin/synth"].map(String::from)),
        None
    );
    assert_eq!(
        synth_args(&["cargo", "run", "-p", "stacks"].map(String::from)),
        None
    );
}

// ---------------------------------------------------------------------------
// What the jobs do

#[test]
fn every_synth_invocation_parses_with_the_cli_parser() {
    let p = pipeline();
    let all = all_invocations(&p);
    let mut seen = BTreeMap::<&str, usize>::new();
    for inv in &all {
        let cli = parse(inv);
        let kind = match cli.command {
            None | Some(SynthCommand::Synth(_)) => "synth",
            Some(SynthCommand::Diff(_)) => "diff",
            Some(SynthCommand::Deploy(_)) => "deploy",
            Some(SynthCommand::Destroy(_)) => "destroy",
            Some(SynthCommand::List(_)) => "list",
            Some(SynthCommand::Region(_)) => "region",
            Some(SynthCommand::Import(_)) => "import",
            Some(SynthCommand::Drift(_)) => "drift",
            Some(SynthCommand::Fleet(_)) => "fleet",
            Some(SynthCommand::Check(_)) => "check",
        };
        *seen.entry(kind).or_default() += 1;
        if inv.takes_positional {
            // "$@" is built from CI/CD variables by `set -- "$@" ...`: the
            // command must parse with none and with all of them.
            let job_entries = script_entries(&resolved(&p, &inv.job));
            let additions = positional_additions(&job_entries);
            assert!(!additions.is_empty(), "{}: \"$@\" is never set", inv.job);
            let mut argv = inv.argv.clone();
            argv.extend(additions);
            parse_argv(inv, &argv);
        }
    }
    // The synth job and the offline diff's synthesis, two diffs, a deploy.
    assert!(seen.get("synth") >= Some(&2), "{seen:?}\n{all:#?}");
    assert_eq!(seen.get("diff"), Some(&2), "{seen:?}");
    assert_eq!(seen.get("deploy"), Some(&1), "{seen:?}");
    assert_eq!(seen.get("fleet"), Some(&1), "{seen:?}");
    assert_eq!(
        seen.get("destroy"),
        None,
        "a pipeline that destroys: {seen:?}"
    );
}

fn sequence_strs(v: Option<&Value>) -> Vec<String> {
    match v {
        None => vec![],
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items.iter().map(|i| str_of(i).to_string()).collect(),
        Some(other) => panic!("expected a list of strings, got {other:?}"),
    }
}

/// The jobs `needs` names with their artifacts, and `dependencies`.
fn artifact_sources(job: &Mapping) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Sequence(needs)) = get(job, "needs") {
        for n in needs {
            match n {
                Value::String(s) => out.push(s.clone()),
                Value::Mapping(m) => {
                    let artifacts = get(m, "artifacts").and_then(Value::as_bool).unwrap_or(true);
                    if artifacts {
                        out.push(str_of(get(m, "job").expect("needs: job")).to_string());
                    }
                }
                other => panic!("needs entry {other:?}"),
            }
        }
    }
    out.extend(sequence_strs(get(job, "dependencies")));
    out
}

/// Asserts every rule that can let the job run requires `condition` (an
/// `if` with `condition` in it and no `||`).
fn assert_rules_require(name: &str, job: &Mapping, condition: &Regex) {
    let rules = rules(job);
    assert!(
        !rules.is_empty(),
        "{name} has no rules: it would run in every pipeline"
    );
    for rule in &rules {
        if rule_when(rule) == "never" {
            continue;
        }
        let expr = rule_if(rule)
            .unwrap_or_else(|| panic!("{name}: a rule without `if` runs always: {rule:?}"));
        assert!(
            !expr.contains("||"),
            "{name}: `{expr}` has an alternative (||)"
        );
        assert!(
            condition.is_match(expr),
            "{name}: `{expr}` does not require /{condition}/"
        );
    }
}

fn stage_index(p: &Mapping, stage: &str) -> usize {
    sequence_strs(get(p, "stages"))
        .iter()
        .position(|s| s == stage)
        .unwrap_or_else(|| panic!("no stage {stage}"))
}

#[test]
fn stages_and_the_test_job() {
    let p = pipeline();
    assert_eq!(
        sequence_strs(get(&p, "stages")),
        ["test", "synth", "diff", "deploy"]
    );
    let test = job(&p, "test");
    let lines = script_entries(&test);
    for needed in [
        "cargo fmt --all -- --check",
        "cargo clippy --workspace --all-targets -- -D warnings",
        "scripts/test",
    ] {
        assert!(
            lines.iter().any(|l| l.trim() == needed),
            "test job lacks `{needed}`: {lines:#?}"
        );
    }
    // One build profile: nothing builds with --release or another profile.
    for (name, _) in entries(&p) {
        for line in script_entries(&resolved(&p, &name)) {
            assert!(
                !line.contains("--release") && !line.contains("--profile"),
                "{name} builds another profile: {line}"
            );
        }
    }
    // Cargo's home inside the project, cached with target/ under a key of
    // Cargo.lock and the toolchain.
    let variables = get(&p, "variables")
        .and_then(Value::as_mapping)
        .expect("variables");
    let cargo_home = get(variables, "CARGO_HOME").map(str_of).unwrap_or_default();
    assert!(
        cargo_home.starts_with("$CI_PROJECT_DIR/"),
        "CARGO_HOME = {cargo_home:?}"
    );
    let cache = get(&test, "cache")
        .and_then(Value::as_mapping)
        .expect("test: cache");
    let paths = sequence_strs(get(cache, "paths"));
    assert!(
        paths.iter().any(|x| x.trim_end_matches('/') == "target"),
        "{paths:?}"
    );
    let home_dir = cargo_home.trim_start_matches("$CI_PROJECT_DIR/");
    assert!(
        paths.iter().any(|x| x.starts_with(home_dir)),
        "{paths:?} misses {home_dir}"
    );
    let key = get(cache, "key")
        .and_then(Value::as_mapping)
        .expect("cache:key");
    assert_eq!(sequence_strs(get(key, "files")), ["Cargo.lock"]);
    let image = get(&p, "default")
        .and_then(Value::as_mapping)
        .and_then(|d| get(d, "image"))
        .map(str_of)
        .expect("default:image");
    let version = Regex::new(r"^rust:([0-9]+\.[0-9]+)").unwrap();
    let version = &version.captures(image).expect("a rust:<version> image")[1];
    let prefix = get(key, "prefix").map(str_of).unwrap_or_default();
    assert!(
        prefix.contains(version),
        "cache prefix {prefix:?} does not name Rust {version}"
    );
    assert_eq!(get(cache, "policy").map(str_of), Some("pull-push"));
}

#[test]
fn synth_job_keeps_the_assembly_and_the_binary() {
    let p = pipeline();
    let synth = job(&p, "synth");
    assert_eq!(get(&synth, "stage").map(str_of), Some("synth"));
    let entries = script_entries(&synth);
    let invs: Vec<Invocation> = invocations_in("synth", &entries);
    assert_eq!(invs.len(), 1, "{invs:#?}");
    let cli = parse(&invs[0]);
    assert!(matches!(cli.command, None | Some(SynthCommand::Synth(_))));
    assert_eq!(cli.global.out.as_deref(), Some(Path::new("out")));
    assert!(cli.global.app.is_none(), "the synth job runs the app");
    assert!(
        entries.iter().any(|l| words(l).contains(&vec![
            "cp".to_string(),
            "target/debug/synth".into(),
            "bin/synth".into()
        ])),
        "the synth job copies the dev build to bin/synth: {entries:#?}"
    );
    let artifacts = get(&synth, "artifacts")
        .and_then(Value::as_mapping)
        .expect("artifacts");
    let paths = sequence_strs(get(artifacts, "paths"));
    assert!(
        paths.iter().any(|x| x.trim_end_matches('/') == "out"),
        "{paths:?}"
    );
    assert!(paths.iter().any(|x| x == "bin/synth"), "{paths:?}");
}

#[test]
fn synth_job_publishes_policy_findings_as_code_quality() {
    let p = pipeline();
    let synth = job(&p, "synth");
    let artifacts = get(&synth, "artifacts")
        .and_then(Value::as_mapping)
        .expect("artifacts");
    // Kept when the check fails the job: that is when it matters most.
    assert_eq!(get(artifacts, "when").map(str_of), Some("always"));
    let report = get(artifacts, "reports")
        .and_then(Value::as_mapping)
        .and_then(|r| get(r, "codequality"))
        .map(str_of)
        .expect("artifacts:reports:codequality");

    // The synthesis itself writes exactly that file, also when the check
    // fails (and then leaves out/ as it was).
    let entries = script_entries(&synth);
    let synths: Vec<Cli> = invocations_in("synth", &entries)
        .iter()
        .map(parse)
        .filter(|c| matches!(c.command, None | Some(SynthCommand::Synth(_))))
        .collect();
    assert_eq!(synths.len(), 1, "{entries:#?}");
    let codequality = match &synths[0].command {
        Some(SynthCommand::Synth(args)) => args.codequality.clone(),
        _ => synths[0].synth.codequality.clone(),
    };
    assert_eq!(codequality.as_deref(), Some(Path::new(report)));

    // gitlab-ci-local, with GitLab's schema, sees the report on the job.
    let repo = Repo::new(&[]);
    let out = repo.gitlab_ci_local(&repo.work(), &["--preview".to_string()]);
    assert!(
        out.status.success(),
        "gitlab-ci-local --preview failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let preview: Mapping = serde_yaml::from_slice(&out.stdout).expect("--preview prints YAML");
    let seen = get(&preview, "synth")
        .and_then(Value::as_mapping)
        .and_then(|j| get(j, "artifacts"))
        .and_then(Value::as_mapping)
        .and_then(|a| get(a, "reports"))
        .and_then(Value::as_mapping)
        .and_then(|r| get(r, "codequality"))
        .map(str_of);
    assert_eq!(seen, Some(report));
}

#[test]
fn deploy_runs_on_region_branches_from_the_synth_artifact() {
    let p = pipeline();
    let deploy = job(&p, "deploy");
    assert_eq!(get(&deploy, "stage").map(str_of), Some("deploy"));
    assert!(stage_index(&p, "deploy") > stage_index(&p, "synth"));

    let region = region_regex(&p);
    let condition = Regex::new(&format!(
        r"\$CI_COMMIT_BRANCH =~ /{}/",
        regex::escape(region.as_str())
    ))
    .unwrap();
    assert_rules_require("deploy", &deploy, &condition);
    let rules = rules(&deploy);
    assert!(
        rules.iter().any(|r| rule_when(r) == "manual"),
        "deploy is manual by default"
    );
    assert!(
        rules.iter().any(|r| rule_when(r) == "on_success"
            && rule_if(r).is_some_and(|e| e.contains("$SYNTH_AUTO_DEPLOY == \"true\""))),
        "SYNTH_AUTO_DEPLOY=true makes deploy automatic: {rules:?}"
    );

    assert!(
        artifact_sources(&deploy).contains(&"synth".to_string()),
        "deploy does not take synth's artifact"
    );
    let resource_group = get(&deploy, "resource_group")
        .map(str_of)
        .unwrap_or_default();
    assert!(
        resource_group.contains("$CI_COMMIT_BRANCH"),
        "one resource group per region: {resource_group:?}"
    );
    let environment = get(&deploy, "environment").expect("deploy: environment");
    let env_name = match environment {
        Value::String(s) => s.clone(),
        Value::Mapping(m) => str_of(get(m, "name").expect("environment:name")).to_string(),
        other => panic!("environment {other:?}"),
    };
    assert!(
        env_name.contains("$CI_COMMIT_BRANCH"),
        "environment named after the branch: {env_name:?}"
    );
    assert_eq!(
        get(&deploy, "interruptible").and_then(Value::as_bool),
        Some(false)
    );

    let entries = script_entries(&deploy);
    assert!(
        !entries.iter().any(|l| words(l)
            .iter()
            .any(|w| w.first().is_some_and(|c| c == "cargo"))),
        "deploy rebuilds: {entries:#?}"
    );
    let invs = invocations_in("deploy", &entries);
    assert_eq!(invs.len(), 1, "{invs:#?}");
    let cli = parse(&invs[0]);
    assert_eq!(
        cli.global.app.as_deref(),
        Some("out"),
        "deploy the artifact, not a new synthesis"
    );
    match cli.command {
        Some(SynthCommand::Deploy(args)) => {
            assert_eq!(args.require_approval, Approval::Never);
            assert!(args.all);
            assert!(args.outputs_file.is_some());
        }
        other => panic!("{other:?}"),
    }

    // GitLab OIDC: an ID token, written to a file for the AWS SDK.
    let tokens = get(&deploy, "id_tokens")
        .and_then(Value::as_mapping)
        .expect("deploy: id_tokens");
    let token = get(tokens, "AWS_ID_TOKEN")
        .and_then(Value::as_mapping)
        .expect("AWS_ID_TOKEN");
    assert!(
        get(token, "aud").is_some(),
        "AWS_ID_TOKEN needs an audience"
    );
    let script = entries.join("\n");
    for needed in [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "$AWS_ID_TOKEN",
    ] {
        assert!(
            script.contains(needed),
            "deploy's script does not set {needed}"
        );
    }
    let role_variable = get(&deploy, "variables")
        .and_then(Value::as_mapping)
        .and_then(|v| get(v, "SYNTH_ROLE_VARIABLE"))
        .map(str_of);
    assert_eq!(role_variable, Some("SYNTH_DEPLOY_ROLE_ARN"));
}

#[test]
fn diffs_run_only_in_merge_requests_and_publish_their_report() {
    let p = pipeline();
    let mr = Regex::new(r#"\$CI_PIPELINE_SOURCE == "merge_request_event""#).unwrap();
    let region = regex::escape(region_regex(&p).as_str());
    let all = all_invocations(&p);
    let diff_jobs: Vec<String> = all
        .iter()
        .filter(|inv| matches!(parse(inv).command, Some(SynthCommand::Diff(_))))
        .map(|inv| inv.job.clone())
        .collect();
    assert_eq!(diff_jobs, ["diff:deployed", "diff:offline"]);

    for name in &diff_jobs {
        let diff = job(&p, name);
        assert_eq!(get(&diff, "stage").map(str_of), Some("diff"));
        assert_rules_require(name, &diff, &mr);
        assert!(
            artifact_sources(&diff).contains(&"synth".to_string()),
            "{name}: no synth artifact"
        );

        let artifacts = get(&diff, "artifacts")
            .and_then(Value::as_mapping)
            .expect("artifacts");
        assert!(
            get(artifacts, "expose_as").is_some(),
            "{name}: the diff is not exposed in the MR"
        );
        let paths = sequence_strs(get(artifacts, "paths"));
        let terraform = get(artifacts, "reports")
            .and_then(Value::as_mapping)
            .and_then(|r| get(r, "terraform"))
            .map(|v| sequence_strs(Some(v)))
            .unwrap_or_default();
        assert_eq!(terraform.len(), 1, "{name}: reports:terraform");

        let invs = invocations_in(name, &script_entries(&diff));
        let diffs: Vec<(Invocation, Cli)> = invs
            .into_iter()
            .map(|i| {
                let cli = parse(&i);
                (i, cli)
            })
            .filter(|(_, c)| matches!(c.command, Some(SynthCommand::Diff(_))))
            .collect();
        assert_eq!(diffs.len(), 1, "{name}");
        let (inv, cli) = &diffs[0];
        assert_eq!(
            cli.global.app.as_deref(),
            Some("out"),
            "{name}: diff the synth artifact"
        );
        let Some(SynthCommand::Diff(args)) = &cli.command else {
            unreachable!()
        };
        assert_eq!(args.format, DiffFormat::Markdown, "{name}");
        assert_eq!(
            args.gitlab_report.as_deref().and_then(Path::to_str),
            Some(terraform[0].as_str()),
            "{name}: --gitlab-report is the terraform report"
        );
        let md = inv
            .stdout
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: the Markdown goes nowhere"));
        assert!(
            paths.iter().any(|x| x == md),
            "{name}: {md} is not an artifact: {paths:?}"
        );

        let target = Regex::new(&format!(
            r"\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME (=|!)~ /{region}/"
        ))
        .unwrap();
        let exprs: Vec<String> = rules(&diff)
            .iter()
            .filter_map(|r| rule_if(r).map(String::from))
            .collect();
        let against_deployed = exprs
            .iter()
            .all(|e| target.captures(e).is_some_and(|c| &c[1] == "="));
        let offline = exprs
            .iter()
            .all(|e| target.captures(e).is_some_and(|c| &c[1] == "!"));
        if name == "diff:deployed" {
            assert!(
                against_deployed,
                "{name} runs for merge requests into region branches: {exprs:?}"
            );
            assert!(args.against.is_none() && args.template.is_none());
            let vars = get(&diff, "variables")
                .and_then(Value::as_mapping)
                .expect("variables");
            assert_eq!(
                get(vars, "SYNTH_ROLE_VARIABLE").map(str_of),
                Some("SYNTH_DIFF_ROLE_ARN")
            );
            assert!(get(&diff, "id_tokens").is_some(), "{name}: OIDC token");
        } else {
            assert!(
                offline,
                "{name} runs for merge requests into other branches: {exprs:?}"
            );
            assert!(args.against.is_some(), "{name} diffs offline");
        }
    }
}

/// The manifest the offline diff writes when the target branch has no synth
/// project yet must be one the CLI reads.
#[test]
fn offline_diff_fallback_manifest_is_a_valid_assembly() {
    let p = pipeline();
    let script = script_entries(&job(&p, "diff:offline")).join("\n");
    let echo = simple_commands(&script)
        .into_iter()
        .find(|c| {
            c.words.first().is_some_and(|w| w == "echo")
                && c.stdout
                    .as_deref()
                    .is_some_and(|o| o.ends_with("/manifest.json"))
        })
        .expect("diff:offline writes an empty manifest.json when the target has no synth.toml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), &echo.words[1]).unwrap();
    let assembly = synth_cli::assembly::Assembly::read(dir.path())
        .unwrap_or_else(|e| panic!("{}: {e}", echo.words[1]));
    assert!(assembly.manifest.stacks.is_empty());
}

// ---------------------------------------------------------------------------
// gitlab-ci-local

/// gitlab-ci-local as `scripts/setup-node` installs it: npm ci of the root
/// package-lock.json into node_modules/ of `$SYNTH_NODE_TOOLS`, by default
/// the repository root.
fn gitlab_ci_local() -> PathBuf {
    let tools = std::env::var_os("SYNTH_NODE_TOOLS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(root);
    let entry = tools.join("node_modules/gitlab-ci-local/src/index.js");
    assert!(
        entry.is_file(),
        "gitlab-ci-local is not installed ({} is missing): run scripts/setup-node, \
         or scripts/test, which installs what the tests need",
        entry.display()
    );
    entry
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A git repository holding the pipeline (and a copy with the workflow
    /// probe), a commit on `main`, the branches, and an `origin` with a
    /// default branch so gitlab-ci-local has the remote data it looks for.
    fn new(branches: &[&str]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("repo");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let text = pipeline_text();
        std::fs::write(work.join(".gitlab-ci.yml"), &text).unwrap();
        std::fs::write(work.join(PROBE_FILE), with_workflow_probe(&text)).unwrap();
        git(&work, &["init", "-q"]);
        git(&work, &["symbolic-ref", "HEAD", "refs/heads/main"]);
        git(&work, &["config", "user.name", "Pipeline Test"]);
        git(
            &work,
            &["config", "user.email", "pipeline-test@example.com"],
        );
        git(&work, &["config", "commit.gpgsign", "false"]);
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "pipeline"]);
        git(
            &work,
            &[
                "remote",
                "add",
                "origin",
                "git@gitlab.example.com:group/project.git",
            ],
        );
        git(&work, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
        git(
            &work,
            &[
                "symbolic-ref",
                "refs/remotes/origin/HEAD",
                "refs/remotes/origin/main",
            ],
        );
        for b in branches {
            git(&work, &["branch", b]);
        }
        Repo { dir }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// A worktree of the repository with `branch` checked out.
    fn checkout(&self, branch: &str) -> PathBuf {
        if branch == "main" {
            return self.work();
        }
        let path = self
            .dir
            .path()
            .join(format!("wt-{}", branch.replace('/', "-")));
        git(
            &self.work(),
            &["worktree", "add", "-q", path.to_str().unwrap(), branch],
        );
        path
    }

    /// Runs gitlab-ci-local in `cwd` with the machine's environment left out.
    fn gitlab_ci_local(&self, cwd: &Path, args: &[String]) -> Output {
        let home = self.dir.path().join("home");
        Command::new("node")
            .arg(gitlab_ci_local())
            .args(args)
            .arg("--home")
            .arg(&home)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run node ({e}): install Node.js and run scripts/setup-node (scripts/test does)")
            })
    }
}

const PROBE_FILE: &str = ".gitlab-ci-probe.yml";
const PROBE_JOB: &str = "workflow-rules-probe";

/// gitlab-ci-local 4.65.1 ignores `workflow:rules`; a job in `.pre` with the
/// same rules tells whether GitLab would create the pipeline at all.
fn with_workflow_probe(text: &str) -> String {
    let mut p: Mapping = serde_yaml::from_str(text).unwrap();
    let workflow_rules: Vec<Value> = get(&p, "workflow")
        .and_then(Value::as_mapping)
        .map(rules)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let mut rule = Mapping::new();
            for key in ["if", "when", "changes", "exists", "variables"] {
                if let Some(v) = get(&r, key) {
                    rule.insert(key.into(), v.clone());
                }
            }
            Value::Mapping(rule)
        })
        .collect();
    let mut probe = Mapping::new();
    probe.insert("stage".into(), ".pre".into());
    probe.insert("script".into(), Value::Sequence(vec!["true".into()]));
    if !workflow_rules.is_empty() {
        probe.insert("rules".into(), Value::Sequence(workflow_rules));
    }
    p.insert(PROBE_JOB.into(), Value::Mapping(probe));
    serde_yaml::to_string(&p).unwrap()
}

/// One pipeline to list: the checked-out branch and the variables GitLab
/// would set.
struct Case {
    name: &'static str,
    branch: &'static str,
    variables: Vec<(&'static str, &'static str)>,
    unset: Vec<&'static str>,
    /// The jobs that run and their `when`; `None`: no pipeline at all.
    want: Option<Vec<(&'static str, &'static str)>>,
}

fn merge_request(source: &'static str, target: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", target),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", source),
        ("CI_MERGE_REQUEST_IID", "1"),
    ]
}

fn cases() -> Vec<Case> {
    const BUILD: [(&str, &str); 2] = [("test", "on_success"), ("synth", "on_success")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut jobs = BUILD.to_vec();
        jobs.extend_from_slice(extra);
        Some(jobs)
    };
    let open_mr = ("CI_OPEN_MERGE_REQUESTS", "group/project!1");
    vec![
        Case {
            name: "push to main",
            branch: "main",
            variables: vec![],
            unset: vec![],
            want: with(&[]),
        },
        Case {
            name: "push to a feature branch",
            branch: "feature/x",
            variables: vec![],
            unset: vec![],
            want: with(&[]),
        },
        Case {
            name:
                "push to a feature branch with an open merge request (its MR pipeline runs instead)",
            branch: "feature/x",
            variables: vec![open_mr],
            unset: vec![],
            want: None,
        },
        Case {
            name: "push to region/us-east-2",
            branch: "region/us-east-2",
            variables: vec![],
            unset: vec![],
            want: with(&[("deploy", "manual")]),
        },
        Case {
            name: "push to region/us-east-2 with SYNTH_AUTO_DEPLOY=true",
            branch: "region/us-east-2",
            variables: vec![("SYNTH_AUTO_DEPLOY", "true")],
            unset: vec![],
            want: with(&[("deploy", "on_success")]),
        },
        Case {
            name: "push to region/eu-central-1",
            branch: "region/eu-central-1",
            variables: vec![],
            unset: vec![],
            want: with(&[("deploy", "manual")]),
        },
        Case {
            name: "push to region/eu-central-1 with an open merge request (still deploys)",
            branch: "region/eu-central-1",
            variables: vec![open_mr],
            unset: vec![],
            want: with(&[("deploy", "manual")]),
        },
        Case {
            name: "push to region/us-east-2-old (not a region branch)",
            branch: "region/us-east-2-old",
            variables: vec![("SYNTH_AUTO_DEPLOY", "true")],
            unset: vec![],
            want: with(&[]),
        },
        Case {
            name: "scheduled pipeline on main (an open merge request changes nothing)",
            branch: "main",
            variables: vec![("CI_PIPELINE_SOURCE", "schedule"), open_mr],
            unset: vec![],
            want: with(&[("fleet", "on_success")]),
        },
        Case {
            name:
                "scheduled pipeline on region/us-east-2 with SYNTH_AUTO_DEPLOY=true (never deploys)",
            branch: "region/us-east-2",
            variables: vec![
                ("CI_PIPELINE_SOURCE", "schedule"),
                ("SYNTH_AUTO_DEPLOY", "true"),
            ],
            unset: vec![],
            want: with(&[("fleet", "on_success")]),
        },
        Case {
            name: "merge request feature/x -> main",
            branch: "feature/x",
            variables: merge_request("feature/x", "main"),
            unset: vec!["CI_COMMIT_BRANCH"],
            want: with(&[("diff:offline", "on_success")]),
        },
        Case {
            name: "merge request main -> region/us-east-2",
            branch: "main",
            variables: [
                merge_request("main", "region/us-east-2"),
                vec![("SYNTH_AUTO_DEPLOY", "true")],
            ]
            .concat(),
            unset: vec!["CI_COMMIT_BRANCH"],
            want: with(&[("diff:deployed", "on_success")]),
        },
        Case {
            name: "merge request region/us-east-2 -> main, CI_COMMIT_BRANCH left set",
            branch: "region/us-east-2",
            variables: merge_request("region/us-east-2", "main"),
            unset: vec![],
            want: with(&[("diff:offline", "on_success")]),
        },
    ]
}

/// The jobs that would run and their `when`; `None`: no pipeline at all.
type Listing = Option<Vec<(String, String)>>;

#[derive(Debug, serde::Deserialize)]
struct Listed {
    name: String,
    when: String,
}

fn list_jobs(repo: &Repo, cwd: &Path, case: &Case) -> Result<Listing, String> {
    let mut args: Vec<String> = [
        "--list-json",
        "--file",
        PROBE_FILE,
        "--no-json-schema-validation",
    ]
    .map(String::from)
    .to_vec();
    for (k, v) in &case.variables {
        args.push("--variable".into());
        args.push(format!("{k}={v}"));
    }
    for k in &case.unset {
        args.push("--unset-variable".into());
        args.push(k.to_string());
    }
    // Overriding a predefined variable is the point here: without this,
    // gitlab-ci-local prints a warning on stdout, before the JSON.
    let overridden: Vec<&str> = case
        .variables
        .iter()
        .map(|(k, _)| *k)
        .chain(case.unset.iter().copied())
        .collect();
    if !overridden.is_empty() {
        args.push("--ignore-predefined-vars".into());
        args.push(overridden.join(","));
    }
    let out = repo.gitlab_ci_local(cwd, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "gitlab-ci-local {args:?} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let listed: Vec<Listed> = serde_json::from_str(&stdout)
        .map_err(|e| format!("gitlab-ci-local --list-json printed no JSON ({e}):\n{stdout}"))?;
    let probe = listed
        .iter()
        .find(|j| j.name == PROBE_JOB)
        .ok_or("the workflow probe job is not listed")?;
    if probe.when == "never" {
        return Ok(None);
    }
    Ok(Some(
        listed
            .into_iter()
            .filter(|j| j.name != PROBE_JOB && j.when != "never")
            .map(|j| (j.name, j.when))
            .collect(),
    ))
}

#[test]
fn gitlab_ci_local_validates_and_lists_the_jobs_of_each_pipeline() {
    gitlab_ci_local();
    let cases = cases();
    let mut branches: Vec<&str> = cases
        .iter()
        .map(|c| c.branch)
        .filter(|b| *b != "main")
        .collect();
    branches.sort();
    branches.dedup();
    let repo = Repo::new(&branches);

    // GitLab's CI schema, with gitlab-ci-local's own checks, on the file as
    // it is.
    let validated = repo.gitlab_ci_local(&repo.work(), &["--list-json".to_string()]);
    assert!(
        validated.status.success(),
        ".gitlab-ci.yml is invalid for GitLab (gitlab-ci-local):\n{}\n{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
    let all: Vec<Listed> =
        serde_json::from_slice(&validated.stdout).expect("--list-json prints JSON");
    let names: Vec<&str> = all.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "test",
            "synth",
            "diff:deployed",
            "diff:offline",
            "deploy",
            "fleet",
            "agent:install",
            "agent:example"
        ]
    );

    // And that a schema error would fail: an invalid copy is rejected.
    let broken = repo.work().join(".gitlab-ci-broken.yml");
    std::fs::write(
        broken,
        format!(
            "{}\nbroken-job:\n  script: [echo]\n  when: sometimes\n",
            pipeline_text()
        ),
    )
    .unwrap();
    let rejected = repo.gitlab_ci_local(
        &repo.work(),
        &[
            "--list-json".into(),
            "--file".into(),
            ".gitlab-ci-broken.yml".into(),
        ],
    );
    assert!(
        !rejected.status.success(),
        "gitlab-ci-local accepted an invalid file: its schema check is off"
    );

    let dirs: BTreeMap<&str, PathBuf> = branches
        .iter()
        .chain(std::iter::once(&"main"))
        .map(|b| (*b, repo.checkout(b)))
        .collect();

    // Each listing starts node (about a second); two at a time.
    let results: Vec<(&Case, Result<Listing, String>)> = std::thread::scope(|s| {
        let chunks: [Vec<&Case>; 2] = [
            cases.iter().step_by(2).collect(),
            cases.iter().skip(1).step_by(2).collect(),
        ];
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (repo, dirs) = (&repo, &dirs);
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|case| (case, list_jobs(repo, &dirs[case.branch], case)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let mut failures = Vec::new();
    for (case, got) in results {
        let want = case.want.as_ref().map(|jobs| {
            jobs.iter()
                .map(|(n, w)| (n.to_string(), w.to_string()))
                .collect::<Vec<_>>()
        });
        match got {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", case.name)),
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "pipelines differ from what is intended:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fleet_runs_on_schedules_only_and_keeps_its_reports_when_drift_fails_it() {
    let p = pipeline();
    let schedule = Regex::new(r#"\$CI_PIPELINE_SOURCE == "schedule""#).unwrap();
    let fleet = job(&p, "fleet");
    assert_rules_require("fleet", &fleet, &schedule);
    assert!(artifact_sources(&fleet).contains(&"synth".to_string()));
    assert_eq!(
        get(&fleet, "variables")
            .and_then(Value::as_mapping)
            .and_then(|v| get(v, "SYNTH_ROLE_VARIABLE"))
            .map(str_of),
        Some("SYNTH_DIFF_ROLE_ARN"),
        "the fleet view reads with the read-only role"
    );
    let inv = all_invocations(&p)
        .into_iter()
        .find(|i| i.job == "fleet")
        .expect("fleet runs synth");
    let Some(SynthCommand::Fleet(args)) = parse(&inv).command else {
        panic!("{inv:?}")
    };
    assert!(args.fail, "drift must fail the job: {inv:?}");
    let (md, json) = (
        args.markdown_file.expect("--markdown-file"),
        args.json_file.expect("--json-file"),
    );
    let artifacts = get(&fleet, "artifacts")
        .and_then(Value::as_mapping)
        .expect("artifacts");
    let paths = sequence_strs(get(artifacts, "paths"));
    for file in [&md, &json] {
        assert!(
            paths.contains(&file.display().to_string()),
            "{} is not kept: {paths:?}",
            file.display()
        );
    }
    assert_eq!(
        get(artifacts, "when").map(str_of),
        Some("always"),
        "a failed (drifted) run must keep its reports"
    );
    // No schedule deploys: the deploy job refuses scheduled pipelines
    // before any rule that could let it run.
    let deploy = rules(&job(&p, "deploy"));
    let first_run = deploy.iter().position(|r| rule_when(r) != "never").unwrap();
    assert!(
        deploy[..first_run]
            .iter()
            .any(|r| rule_if(r).is_some_and(|e| schedule.is_match(e))),
        "{deploy:?}"
    );
}

/// The agent jobs: after a region's deploy, only once the agent server's
/// address is set; never in merge requests or on other branches.
#[test]
fn gitlab_ci_local_lists_the_agent_jobs_where_an_agent_is_configured() {
    gitlab_ci_local();
    const BUILD: [(&str, &str); 2] = [("test", "on_success"), ("synth", "on_success")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut jobs = BUILD.to_vec();
        jobs.extend_from_slice(extra);
        Some(jobs)
    };
    let kas = ("SYNTH_AGENT_KAS_ADDRESS", "wss://kas.gitlab.example.com");
    let agent_jobs = [
        ("deploy", "manual"),
        ("agent:install", "on_success"),
        ("agent:example", "on_success"),
    ];
    let cases = vec![
        Case {
            name: "main with an agent",
            branch: "main",
            variables: vec![kas],
            unset: vec![],
            want: with(&[]),
        },
        Case {
            name: "feature branch with an agent",
            branch: "feature/agent",
            variables: vec![kas],
            unset: vec![],
            want: with(&[]),
        },
        Case {
            name: "region/us-east-2 with an agent",
            branch: "region/us-east-2",
            variables: vec![kas],
            unset: vec![],
            want: with(&agent_jobs),
        },
        Case {
            name: "region/us-east-2 without an agent",
            branch: "region/us-east-2",
            variables: vec![],
            unset: vec![],
            want: with(&[("deploy", "manual")]),
        },
        Case {
            name: "merge request main -> region/us-east-2 with an agent",
            branch: "main",
            variables: [merge_request("main", "region/us-east-2"), vec![kas]].concat(),
            unset: vec!["CI_COMMIT_BRANCH"],
            want: with(&[("diff:deployed", "on_success")]),
        },
    ];
    let repo = Repo::new(&["feature/agent", "region/us-east-2"]);
    let dirs: BTreeMap<&str, PathBuf> = ["main", "feature/agent", "region/us-east-2"]
        .into_iter()
        .map(|b| (b, repo.checkout(b)))
        .collect();
    let mut failures = Vec::new();
    for case in &cases {
        let want = case.want.as_ref().map(|jobs| {
            jobs.iter()
                .map(|(n, w)| (n.to_string(), w.to_string()))
                .collect::<Vec<_>>()
        });
        match list_jobs(&repo, &dirs[case.branch], case) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", case.name)),
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the agent jobs do: Helm with the chart, token and address from
/// variables, the RBAC synth wrote, and kubectl through the agent's context.
#[test]
fn the_agent_jobs_install_with_helm_and_use_the_agents_context() {
    let p = pipeline();
    let install = resolved(&p, "agent:install");
    let needs = format!("{:?}", get(&install, "needs"));
    assert!(
        needs.contains("deploy") && needs.contains("synth"),
        "{needs}"
    );
    assert_eq!(get(&install, "stage").map(str_of), Some("deploy"));
    let script = script_entries(&install).join("\n");
    for needed in [
        "helm upgrade --install",
        "gitlab/gitlab-agent",
        "config.token=\"$SYNTH_AGENT_TOKEN\"",
        "config.kasAddress=\"$SYNTH_AGENT_KAS_ADDRESS\"",
        "aws eks update-kubeconfig",
        "kubectl apply -f \"out/agents/$agent/rbac.yaml\"",
    ] {
        assert!(
            script.contains(needed),
            "agent:install lacks {needed}: {script}"
        );
    }
    let vars = get(&install, "variables")
        .and_then(Value::as_mapping)
        .unwrap();
    assert_eq!(
        get(vars, "SYNTH_ROLE_VARIABLE").map(str_of),
        Some("SYNTH_DEPLOY_ROLE_ARN"),
        "the deploy role, which has the cluster's access entry"
    );
    let example = resolved(&p, "agent:example");
    let script = script_entries(&example).join("\n");
    assert!(
        script.contains(
            "kubectl config use-context \"${SYNTH_AGENT_PROJECT_PATH:-$CI_PROJECT_PATH}:$agent\""
        ),
        "{script}"
    );
    assert!(
        get(&example, "id_tokens").is_none(),
        "no AWS credentials: the agent's own"
    );
    let kas = Regex::new(r"\$SYNTH_AGENT_KAS_ADDRESS").unwrap();
    let region = Regex::new(&regex::escape(region_regex(&p).as_str())).unwrap();
    for job in [&install, &example] {
        assert_rules_require("agent job", job, &kas);
        assert_rules_require("agent job", job, &region);
        let first = rules(job)[0].clone();
        assert_eq!(rule_when(&first), "never", "never in merge requests");
    }
}
