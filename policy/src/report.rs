//! GitLab's Code Quality report: a JSON array of issues, each with a
//! description, check name, fingerprint, severity and a location (file
//! path and line), shown in the merge request widget.

use serde_json::{json, Value as Json};

use crate::{Finding, Severity};

/// A finding and the template (path as the repository sees it) it is in.
pub struct Located<'a> {
    pub path: &'a str,
    /// The stack, part of the fingerprint so two stacks' findings differ.
    pub stack: &'a str,
    pub finding: &'a Finding,
}

/// Code Quality's severity for ours.
pub fn codequality_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// The report, in the order given.
pub fn codequality(findings: &[Located]) -> Json {
    Json::Array(
        findings
            .iter()
            .map(|l| {
                let f = l.finding;
                let resource = f.resource.as_deref().unwrap_or("-");
                json!({
                    "description": format!("{}: {} ({} in {})", f.rule, f.message, resource, l.stack),
                    "check_name": f.rule,
                    "fingerprint": fingerprint(&[l.path, l.stack, &f.rule, resource]),
                    "severity": codequality_severity(f.severity),
                    "location": {
                        "path": l.path,
                        "lines": { "begin": f.line }
                    }
                })
            })
            .collect(),
    )
}

/// A stable fingerprint: the same finding (file, stack, rule, resource)
/// keeps it when lines move, so GitLab can tell new findings from old.
/// Two 64-bit FNV-1a hashes (different offsets) as 32 hex digits.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for part in parts {
        for byte in part.bytes().chain([0u8]) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{a:016x}{b:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let f = fingerprint(&["out/A.template.json", "A", "SYNTH-S3-001", "Bucket"]);
        assert_eq!(f.len(), 32);
        assert_eq!(
            f,
            fingerprint(&["out/A.template.json", "A", "SYNTH-S3-001", "Bucket"])
        );
        assert_ne!(
            f,
            fingerprint(&["out/A.template.json", "A", "SYNTH-S3-002", "Bucket"])
        );
        // Parts are separated: moving a character between them changes it.
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
