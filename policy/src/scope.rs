//! Which resources a rule file can see. Guard copies the values its queries
//! select, rule by rule, so evaluating a file against only the resources of
//! the types it filters on (and skipping it when there are none) costs a
//! fraction of evaluating it against the whole template, with the same
//! result.
//!
//! That holds only when every query of `Resources` in the file begins by
//! keeping resources of literal types (`Resources.*[ Type == 'AWS::S3::Bucket'`
//! or `Type in [..]`, alternatives joined by `or`); any other use of
//! `Resources` makes the file see the whole template.

use std::collections::BTreeSet;

/// The types a file's `Resources` queries keep, or `None` when some query
/// could see a resource of another type.
pub fn queried_types(text: &str) -> Option<BTreeSet<String>> {
    let code = without_comments(text);
    let mut types = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = find_word(rest, "Resources") {
        let after = rest[at + "Resources".len()..].trim_start();
        // `Resources.*[ filter ]` or `Resources[ key_name | filter ]`.
        let filter = match after.strip_prefix(".*[") {
            Some(filter) => filter,
            None => {
                let (key, filter) = after.strip_prefix('[')?.split_once('|')?;
                let key = key.trim();
                if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return None;
                }
                filter
            }
        };
        types.extend(first_conjunct_types(filter)?);
        rest = &rest[at + "Resources".len()..];
    }
    Some(types)
}

/// The text without `#` comments and `<< .. >>` messages (Guard strings
/// in the pack never hold `#`; a file whose strings do is only read more
/// conservatively).
fn without_comments(text: &str) -> String {
    let code = text
        .lines()
        .map(|l| l.split_once('#').map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(start) = rest.find("<<") {
        out.push_str(&rest[..start]);
        match rest[start..].find(">>") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The position of `word` standing alone (not inside a longer name, not a
/// field after a dot).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word).map(|i| i + from) {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let name_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !name_char(before) && before != Some('.') && !name_char(after) {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// The literal types of a filter's first conjunct (its first line, with
/// the lines `or` joins to it), if that conjunct only compares `Type` with
/// literals.
fn first_conjunct_types(filter: &str) -> Option<Vec<String>> {
    let mut lines = filter.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut conjunct = lines.next()?.to_owned();
    loop {
        let joined = conjunct.ends_with(" or") || conjunct == "or";
        match lines.clone().next() {
            Some(next) if joined || next.starts_with("or ") => {
                conjunct.push(' ');
                conjunct.push_str(next);
                lines.next();
            }
            _ => break,
        }
    }
    let mut types = Vec::new();
    for alternative in conjunct.split(" or ") {
        let mut clause = alternative.trim();
        // The filter's own `]` when it closes on the same line.
        if clause.matches(']').count() > clause.matches('[').count() {
            clause = clause.strip_suffix(']').unwrap_or(clause).trim_end();
        }
        let value = clause.strip_prefix("Type")?.trim_start();
        if let Some(literal) = value.strip_prefix("==") {
            types.push(literal_string(literal.trim())?);
        } else if let Some(list) = value.strip_prefix("in") {
            let list = list.trim().strip_prefix('[')?.strip_suffix(']')?;
            for item in list.split(',') {
                types.push(literal_string(item.trim())?);
            }
        } else {
            return None;
        }
    }
    Some(types)
}

/// `'AWS::S3::Bucket'` or `"AWS::S3::Bucket"` to its text.
fn literal_string(s: &str) -> Option<String> {
    let quote = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = s[1..].strip_suffix(quote)?;
    (!inner.contains(quote)).then(|| inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(types: &[&str]) -> Option<BTreeSet<String>> {
        Some(types.iter().map(|t| t.to_string()).collect())
    }

    #[test]
    fn reads_literal_type_filters() {
        let text = "# Resources here is a comment\n\
            let a = Resources.*[\n  Type == 'AWS::S3::Bucket'\n  Properties exists\n]\n\
            let b = Resources.*[ Type == 'AWS::RDS::DBCluster' or Type == \"AWS::RDS::DBInstance\"\n]\n\
            let c = Resources.*[\n  Type in ['AWS::IAM::Role', 'AWS::IAM::User']\n]\n\
            rule R when %a !empty { %a.Properties.Resources exists <<\n Fix: list Resources [x]\n>> }\n\
            rule S { Resources[ id |\n  Type == 'AWS::SQS::Queue'\n] { Properties exists } }";
        assert_eq!(
            queried_types(text),
            set(&[
                "AWS::IAM::Role",
                "AWS::IAM::User",
                "AWS::RDS::DBCluster",
                "AWS::RDS::DBInstance",
                "AWS::S3::Bucket",
                "AWS::SQS::Queue"
            ])
        );
    }

    #[test]
    fn any_other_query_sees_everything() {
        for text in [
            "rule R { Resources.* { Properties exists } }",
            "let a = Resources.*[ Type != 'AWS::S3::Bucket' ]",
            "let a = Resources.*[ Type == 'AWS::S3::Bucket' or Metadata exists ]",
            "let a = Resources.*[\n  Type == 'AWS::S3::Bucket' or\n  Properties.X exists\n]",
            "let a = Resources.*[ Type == /AWS::S3::.*/ ]",
            "let a = Resources[ name ]",
            "let a = Resources[ a b | Type == 'AWS::S3::Bucket' ]",
            "rule R { some Resources.*.Type == 'AWS::S3::Bucket' }",
        ] {
            assert_eq!(queried_types(text), None, "{text}");
        }
        assert_eq!(queried_types("rule R { Parameters exists }"), set(&[]));
    }

    #[test]
    fn every_built_in_pack_is_read_by_type() {
        for (name, text) in crate::PACKS {
            let types = queried_types(text).unwrap_or_else(|| panic!("{name} is not scoped"));
            assert!(!types.is_empty(), "{name}");
            assert!(
                types.iter().all(|t| t.matches("::").count() == 2),
                "{name}: {types:?}"
            );
        }
    }
}
