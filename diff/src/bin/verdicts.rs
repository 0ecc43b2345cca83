//! `synth-diff-verdicts [DIR...]`: the engine's verdict on every case of
//! the diff corpus under each DIR (default `diff-corpus`), as one JSON
//! object keyed `<category>/<case>`, in the shape of the cases'
//! `expected` (plus `"error"` when a case cannot be read).

use std::path::PathBuf;

use serde_json::{json, Map, Value as Json};
use synth_diff::verdict;

fn main() {
    let mut dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs.push(PathBuf::from("diff-corpus"));
    }
    let mut out = Map::new();
    for dir in &dirs {
        let found = verdict::cases(dir);
        // A case directory itself: name it by its last two components.
        let found = if found.len() == 1 && found[0].1 == *dir {
            let name = dir
                .components()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            vec![(name, dir.clone())]
        } else {
            found
        };
        for (name, case_dir) in found {
            let v = match verdict::run_case(&case_dir) {
                Ok((_, v)) => serde_json::to_value(v).unwrap_or(Json::Null),
                Err(e) => json!({"error": e}),
            };
            out.insert(name, v);
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&Json::Object(out)).unwrap_or_default()
    );
}
