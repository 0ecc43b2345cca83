//! The template to import: a file, or a deployed stack's template as
//! CloudFormation keeps it (`GetTemplate`, stage Original).

use std::path::Path;

use synth_diff::template;

/// A template to import, as the generator reads it.
pub type Template = serde_json::Map<String, serde_json::Value>;

use crate::context::Context;
use crate::error::{Error, Result};

/// A template file, JSON or YAML with short-form tags, in the JSON long form.
pub fn file(path: &Path) -> Result<Template> {
    let body = std::fs::read_to_string(path)
        .map_err(|e| Error::usage(format!("cannot read the template {}: {e}", path.display())))?;
    parse(&body, &path.display().to_string())
}

/// The template of deployed stack `name`, in the region in force (as for
/// `synth diff`).
pub fn deployed(ctx: &Context, name: &str) -> Result<Template> {
    let region = ctx.require_region()?.region.name;
    let runtime = crate::aws::runtime()?;
    let body = runtime.block_on(async {
        let client = crate::aws::client(region).await;
        crate::deployed::template(&client, name).await
    })?;
    match body {
        Some(body) => parse(&body, &format!("stack {name} (deployed in {region})")),
        None => Err(Error::usage(format!(
            "stack {name} does not exist in {region}: check the name and the region (--region)"
        ))),
    }
}

fn parse(body: &str, name: &str) -> Result<Template> {
    let t = template::parse(body).map_err(|e| Error::usage(format!("{name}: {e}")))?;
    let t = Template::from(&t);
    if !t.get("Resources").is_some_and(serde_json::Value::is_object) {
        return Err(Error::usage(format!(
            "{name}: not a CloudFormation template (no Resources object)"
        )));
    }
    Ok(t)
}
