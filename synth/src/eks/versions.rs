//! The Kubernetes versions EKS offers, for checking a cluster's version at
//! synthesis rather than at deploy.
//!
//! Source: the Amazon EKS User Guide, "Understand the Kubernetes version
//! lifecycle on EKS" (kubernetes-versions.html, its release calendar), with
//! the dates as endoflife.date/amazon-eks lists them in 2026: a minor
//! version has 14 months of standard support, then 12 of extended support.
//! Versions older than the table can no longer be created. Statuses are
//! those on [`AS_OF`]; update the table when EKS releases a version.

/// A Kubernetes minor version on EKS and its support dates (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EksVersion {
    pub version: &'static str,
    pub released: &'static str,
    pub end_of_standard_support: &'static str,
    pub end_of_extended_support: &'static str,
}

/// The day the table's statuses refer to: synthesis compares dates with
/// it, never with the clock, so its output stays deterministic.
pub const AS_OF: &str = "2026-11-29";

/// Newest first.
pub const VERSIONS: [EksVersion; 5] = [
    v("1.35", "2026-01-28", "2027-03-27", "2028-03-27"),
    v("1.34", "2025-10-06", "2026-12-02", "2027-12-02"),
    v("1.33", "2025-05-28", "2026-07-29", "2027-07-29"),
    v("1.32", "2025-01-25", "2026-03-23", "2027-03-23"),
    v("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
];

const fn v(
    version: &'static str,
    released: &'static str,
    end_of_standard_support: &'static str,
    end_of_extended_support: &'static str,
) -> EksVersion {
    EksVersion {
        version,
        released,
        end_of_standard_support,
        end_of_extended_support,
    }
}

/// What is wrong with creating a cluster on `version`: `Err` when EKS
/// refuses it (malformed, or past extended support on [`AS_OF`]),
/// `Ok(Some(warning))` when it works at extra cost (extended support) or is
/// newer than the table, `Ok(None)` when it is in standard support.
pub fn check(version: &str) -> Result<Option<String>, String> {
    let Some((major, minor)) = parse(version) else {
        return Err(format!(
            "Kubernetes version {version:?} is not a minor version such as \"{}\"",
            VERSIONS[0].version
        ));
    };
    if let Some(known) = VERSIONS.iter().find(|k| k.version == version) {
        if known.end_of_extended_support <= AS_OF {
            return Err(format!(
                "Kubernetes {version} is no longer offered by EKS (extended support ended {}); use {}",
                known.end_of_extended_support, VERSIONS[0].version
            ));
        }
        return Ok((known.end_of_standard_support <= AS_OF).then(|| {
            format!(
                "Kubernetes {version} is in EKS extended support (standard support ended {}; extended support ends {}), which costs extra per cluster hour; use {}",
                known.end_of_standard_support, known.end_of_extended_support, VERSIONS[0].version
            )
        }));
    }
    let newest = parse(VERSIONS[0].version).unwrap_or_default();
    if (major, minor) > newest {
        Ok(Some(format!(
            "Kubernetes {version} is newer than the versions synth knows EKS to offer (up to {}); check that EKS offers it in the stack's regions",
            VERSIONS[0].version
        )))
    } else {
        Err(format!(
            "Kubernetes {version} is no longer offered by EKS (oldest: {}, extended support until {}); use {}",
            VERSIONS[VERSIONS.len() - 1].version,
            VERSIONS[VERSIONS.len() - 1].end_of_extended_support,
            VERSIONS[0].version
        ))
    }
}

fn parse(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) && s.len() <= 4;
    if !ok(major) || !ok(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_checked_against_the_table() {
        assert_eq!(check(VERSIONS[0].version), Ok(None));
        assert_eq!(check("1.34"), Ok(None));
        let extended = check("1.32").unwrap().expect("a warning");
        assert!(extended.contains("extended support"), "{extended}");
        assert!(
            check("1.33").unwrap().is_some(),
            "standard support ended 2026-07-29"
        );
        assert!(check("1.31")
            .unwrap_err()
            .contains("extended support ended"));
        assert!(check("1.30").unwrap_err().contains("no longer offered"));
        assert!(check("1.99").unwrap().unwrap().contains("newer than"));
        for bad in ["", "1", "1.", "v1.33", "1.33.2", "one.two"] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_table_is_newest_first_with_fourteen_plus_twelve_months() {
        for pair in VERSIONS.windows(2) {
            assert!(parse(pair[0].version) > parse(pair[1].version));
        }
        let month = |d: &str| {
            let y: i32 = d[..4].parse().unwrap();
            let m: i32 = d[5..7].parse().unwrap();
            y * 12 + m
        };
        for k in VERSIONS {
            assert_eq!(
                month(k.end_of_extended_support) - month(k.end_of_standard_support),
                12,
                "{}",
                k.version
            );
            let standard = month(k.end_of_standard_support) - month(k.released);
            assert!((14..=15).contains(&standard), "{}: {standard}", k.version);
        }
    }
}
