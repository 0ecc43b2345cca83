//! The rule set `synth.toml`'s `[check]` tables describe.

use synth_policy::{RuleFile, RuleSet, Severity};

use crate::context::Context;
use crate::error::{Error, Result};

/// The built-in packs chosen, the project's rule files (relative to
/// synth.toml's directory) and the severities set. Without a synth.toml
/// or a `[check]` table: every built-in pack at its own severities.
pub fn load(ctx: &Context) -> Result<RuleSet> {
    let Some(config) = &ctx.config else {
        return RuleSet::with_packs(None).map_err(|e| Error::usage(e.0));
    };
    let at = config.path.display();
    let check = &config.check;
    let mut set = RuleSet::with_packs(check.packs.as_deref())
        .map_err(|e| Error::usage(format!("{at}: [check] packs: {e}")))?;
    for file in &check.rules {
        let path = config.dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::usage(format!(
                "{at}: [check] rules: cannot read {}: {e}",
                path.display()
            ))
        })?;
        let parsed = RuleFile::parse(file, &text).map_err(|e| Error::usage(e.0))?;
        if parsed.rules.is_empty() {
            return Err(Error::usage(format!(
                "{at}: [check] rules: {file} declares no rule"
            )));
        }
        set.add(parsed)
            .map_err(|e| Error::usage(format!("{at}: {e}")))?;
    }
    for (id, level) in &check.severity {
        let severity = match level.as_str() {
            "off" => None,
            other => Severity::parse(other),
        };
        set.set_severity(id, severity).map_err(|e| {
            Error::usage(format!(
                "{at}: [check.severity] {e} among the rules checked"
            ))
        })?;
    }
    Ok(set)
}
