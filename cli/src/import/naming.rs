//! Rust identifiers for a template's logical IDs: `PublicSubnet1` →
//! `public_subnet1`, `VPCGatewayAttachment` → `vpc_gateway_attachment`,
//! unique within the generated function and never a keyword.

use std::collections::BTreeSet;

/// Every Rust keyword, strict and reserved, in all editions, plus the
/// names the generated function itself uses.
const TAKEN: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "stack", "fns", "pseudo",
    "synth", "std", "core",
];

/// `snake_case` of a CloudFormation name: words split at case changes
/// (an acronym stays one word: `VPCId` → `vpc_id`) and at any character
/// that is not a letter or digit.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        "item".into()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{out}")
    } else {
        out
    }
}

/// Hands out unique variable names.
#[derive(Default)]
pub struct Names {
    used: BTreeSet<String>,
}

impl Names {
    /// The snake-case name of `id`, or with `suffix` (then a number) when
    /// that is taken or a keyword.
    pub fn claim(&mut self, id: &str, suffix: &str) -> String {
        let base = snake_case(id);
        let mut candidates = vec![base.clone(), format!("{base}_{suffix}")];
        candidates.extend((2..).take(1000).map(|n| format!("{base}_{suffix}{n}")));
        for name in candidates {
            if !TAKEN.contains(&name.as_str()) && self.used.insert(name.clone()) {
                return name;
            }
        }
        // 1002 collisions of one name cannot come from a valid template.
        let name = format!("{base}_{}", self.used.len());
        self.used.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(snake_case("PublicSubnet1"), "public_subnet1");
        assert_eq!(snake_case("VPCGatewayAttachment"), "vpc_gateway_attachment");
        assert_eq!(snake_case("myBucket"), "my_bucket");
        assert_eq!(snake_case("EC2Instance"), "ec2_instance");
        assert_eq!(snake_case("3Tier"), "n3_tier");
        assert_eq!(snake_case("a-b.c"), "a_b_c");
    }

    #[test]
    fn names_are_unique_and_never_keywords() {
        let mut names = Names::default();
        assert_eq!(names.claim("Type", "param"), "type_param");
        assert_eq!(names.claim("Vpc", "param"), "vpc");
        assert_eq!(names.claim("VPC", "resource"), "vpc_resource");
        assert_eq!(names.claim("vpc", "resource"), "vpc_resource2");
        assert_eq!(names.claim("Stack", "resource"), "stack_resource");
    }
}
