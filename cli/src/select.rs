//! Choosing stacks by name or glob: `Network`, `'Eks*'`, `'App-?'`, `--all`.

use synth::manifest::{Manifest, StackManifest};

use crate::error::{Error, Result};

/// What an empty selection (no names, no `--all`) means to a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenEmpty {
    /// Every stack (`list`, `diff`).
    All,
    /// The only stack if there is exactly one, else an error asking for
    /// names or `--all` (`deploy`, `destroy`).
    OnlyStackOrError,
}

/// The stacks `patterns` select, in the manifest's (dependency) order, each
/// once. A name that is not a stack, or a glob that matches none, is an
/// error (exit 2) listing the known stacks.
pub fn select<'m>(
    manifest: &'m Manifest,
    patterns: &[String],
    all: bool,
    when_empty: WhenEmpty,
) -> Result<Vec<&'m StackManifest>> {
    if all || (patterns.is_empty() && when_empty == WhenEmpty::All) {
        return Ok(manifest.stacks.iter().collect());
    }
    if patterns.is_empty() {
        return match manifest.stacks.as_slice() {
            [only] => Ok(vec![only]),
            _ => Err(Error::usage(
                "name the stacks to act on (names or globs such as 'Eks*'), or pass --all",
            )
            .note(known(manifest))),
        };
    }
    let mut chosen = vec![false; manifest.stacks.len()];
    for pattern in patterns {
        let mut matched = false;
        for (i, stack) in manifest.stacks.iter().enumerate() {
            if glob_match(pattern, &stack.name) {
                chosen[i] = true;
                matched = true;
            }
        }
        if !matched {
            let what = if is_glob(pattern) {
                format!("no stack matches `{pattern}`")
            } else {
                format!("there is no stack named `{pattern}`")
            };
            return Err(Error::usage(format!(
                "{what}; pick from the known stacks (run `synth list` to see them)"
            ))
            .note(known(manifest)));
        }
    }
    Ok(manifest
        .stacks
        .iter()
        .zip(chosen)
        .filter_map(|(s, c)| c.then_some(s))
        .collect())
}

fn known(manifest: &Manifest) -> String {
    if manifest.stacks.is_empty() {
        "known stacks: none (the app defines no stacks)".to_string()
    } else {
        let names: Vec<&str> = manifest.stacks.iter().map(|s| s.name.as_str()).collect();
        format!("known stacks: {}", names.join(", "))
    }
}

/// Whether a pattern has glob characters.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Matches a whole name against a glob: `*` is any run of characters
/// (including none), `?` exactly one; everything else matches itself,
/// case-sensitively, as stack names are.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was, and the name position it currently covers up to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some('?') => {
                pi += 1;
                ni += 1;
            }
            Some(&c) if c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                // Let the last `*` take one more character and retry.
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use synth::manifest::{Environment, TemplateFormat};

    fn manifest(names: &[&str]) -> Manifest {
        Manifest {
            version: synth::manifest::MANIFEST_VERSION,
            stacks: names
                .iter()
                .map(|n| StackManifest {
                    name: n.to_string(),
                    template: format!("{n}.template.json"),
                    format: TemplateFormat::Json,
                    environment: Environment::default(),
                    dependencies: vec![],
                    parameters: Default::default(),
                    tags: Default::default(),
                    termination_protection: false,
                    description: None,
                    resources: 0,
                    template_bytes: 0,
                    suppressions: Vec::new(),
                })
                .collect(),
        }
    }

    fn names(stacks: &[&StackManifest]) -> Vec<String> {
        stacks.iter().map(|s| s.name.clone()).collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn globs() {
        let cases = [
            ("Eks*", "EksCluster", true),
            ("Eks*", "Eks", true),
            ("Eks*", "MyEks", false),
            ("*", "", true),
            ("*", "Anything-1", true),
            ("?", "A", true),
            ("?", "AB", false),
            ("App-?", "App-1", true),
            ("App-?", "App-12", false),
            ("*-prod", "eks-prod", true),
            ("*-prod", "eks-prod-2", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "abcbc", true),
            ("a*b*c", "acb", false),
            ("**", "x", true),
            ("Network", "Network", true),
            ("Network", "network", false),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(glob_match(pattern, name), want, "{pattern} vs {name}");
        }
    }

    #[test]
    fn selects_in_manifest_order_without_duplicates() {
        let m = manifest(&["Network", "EksCluster", "EksNodes", "Gitlab"]);
        let all = |p: &[&str]| select(&m, &strings(p), false, WhenEmpty::All).map(|s| names(&s));
        assert_eq!(
            all(&[]).unwrap(),
            strings(&["Network", "EksCluster", "EksNodes", "Gitlab"])
        );
        assert_eq!(
            all(&["Gitlab", "Eks*"]).unwrap(),
            strings(&["EksCluster", "EksNodes", "Gitlab"])
        );
        assert_eq!(
            all(&["EksNodes", "Eks*", "EksNodes"]).unwrap(),
            strings(&["EksCluster", "EksNodes"])
        );
        assert_eq!(
            names(&select(&m, &[], true, WhenEmpty::OnlyStackOrError).unwrap()).len(),
            4
        );
    }

    #[test]
    fn unknown_names_and_empty_globs_list_the_known_stacks() {
        let m = manifest(&["Network", "EksCluster"]);
        let e = select(&m, &strings(&["Network", "Vpc"]), false, WhenEmpty::All).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(
            e.message.starts_with("there is no stack named `Vpc`"),
            "{e}"
        );
        assert_eq!(e.notes, vec!["known stacks: Network, EksCluster"]);

        let e = select(&m, &strings(&["Rds*"]), false, WhenEmpty::All).unwrap_err();
        assert!(e.message.starts_with("no stack matches `Rds*`"), "{e}");

        let e = select(&manifest(&[]), &strings(&["X"]), false, WhenEmpty::All).unwrap_err();
        assert_eq!(
            e.notes,
            vec!["known stacks: none (the app defines no stacks)"]
        );
    }

    #[test]
    fn empty_selection_for_commands_that_act() {
        let one = manifest(&["Only"]);
        assert_eq!(
            names(&select(&one, &[], false, WhenEmpty::OnlyStackOrError).unwrap()),
            strings(&["Only"])
        );
        let two = manifest(&["A", "B"]);
        let e = select(&two, &[], false, WhenEmpty::OnlyStackOrError).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("--all"), "{e}");
        assert_eq!(e.notes, vec!["known stacks: A, B"]);
    }
}
