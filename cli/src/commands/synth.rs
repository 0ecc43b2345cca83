//! `synth` (also `synth synth`): run the app and write the cloud assembly.

use crate::context::Context;
use crate::error::Result;
use crate::ui::table;

pub fn run(ctx: &Context) -> Result<()> {
    let assembly = ctx.synthesize()?;
    if ctx.ui.quiet {
        return Ok(());
    }
    if assembly.manifest.stacks.is_empty() {
        ctx.ui.err(format!(
            "the app defines no stacks; {} holds an empty assembly",
            assembly.dir.display()
        ));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = assembly
        .manifest
        .stacks
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                assembly.template_path(s).display().to_string(),
                match s.resources {
                    1 => "1 resource".to_string(),
                    n => format!("{n} resources"),
                },
            ]
        })
        .collect();
    for line in table(&rows, |c, s| {
        if c == 0 {
            ctx.ui.bold(s)
        } else {
            s.to_string()
        }
    }) {
        ctx.ui.out(line);
    }
    Ok(())
}
