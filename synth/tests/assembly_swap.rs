//! The assembly directory under concurrent writers and links: a reader
//! only ever sees a complete assembly (the old one or a new one), writers
//! never fail because of each other, nothing is left behind, and an `out`
//! that is a symbolic link stays one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use synth::prelude::*;

/// An app with `stacks` stacks whose parameter values say which writer
/// and iteration synthesized them.
fn app(writer: usize, iteration: usize, stacks: usize) -> App {
    let mut app = App::new();
    for i in 0..stacks {
        let s = app.stack(&format!("Stack{i}"));
        s.add(
            "Value",
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Value", format!("writer {writer} iteration {iteration}")),
        );
    }
    app
}

/// Panics unless `dir` holds a complete assembly: a manifest whose every
/// template exists and parses.
fn check_complete(dir: &Path) {
    let manifest = std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("manifest.json missing mid-swap: {e}"));
    let m: serde_json::Value = serde_json::from_str(&manifest).expect("a whole manifest");
    for s in m["stacks"].as_array().expect("stacks") {
        let file = dir.join(s["template"].as_str().expect("template name"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{} missing: {e}", file.display()));
        serde_json::from_str::<serde_json::Value>(&text).expect("a whole template");
    }
}

#[test]
fn concurrent_writers_never_leave_a_gap_or_leftovers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    app(0, 0, 3).synth().unwrap().write(&out).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (out, done) = (out.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                // A directory swapped while being read can vanish under the
                // reader's open files; what matters is that the path always
                // names a complete assembly when opened.
                if std::fs::metadata(out.join("manifest.json")).is_err() {
                    panic!("out/ had no manifest.json");
                }
                reads += 1;
            }
            reads
        })
    };
    let writers: Vec<_> = (1..=4)
        .map(|w| {
            let out = out.clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let assembly = app(w, i, 1 + (w + i) % 3).synth().unwrap();
                    assembly
                        .write(&out)
                        .unwrap_or_else(|e| panic!("writer {w} iteration {i}: {e}"));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    done.store(true, Ordering::SeqCst);
    assert!(reader.join().expect("reader") > 0);
    check_complete(&out);
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn a_crashed_writers_leftovers_are_cleaned_by_the_next_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // What a writer killed between its two steps leaves: PID 0 never runs.
    for left in [".out.staging-0-7", ".out.old-0-8"] {
        std::fs::create_dir(tmp.path().join(left)).unwrap();
        std::fs::write(tmp.path().join(left).join("manifest.json"), "{").unwrap();
    }
    app(1, 1, 2).synth().unwrap().write(&out).unwrap();
    check_complete(&out);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"]);
}

#[cfg(unix)]
#[test]
fn an_out_that_is_a_link_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("shared").join("assembly");
    std::fs::create_dir_all(&target).unwrap();
    let out = tmp.path().join("out");
    std::os::unix::fs::symlink(&target, &out).unwrap();
    for i in 0..2 {
        app(1, i, 2).synth().unwrap().write(&out).unwrap();
        assert!(
            std::fs::symlink_metadata(&out)
                .unwrap()
                .file_type()
                .is_symlink(),
            "out is still a link"
        );
        check_complete(&target);
    }
    let text = std::fs::read_to_string(target.join("Stack0.template.json")).unwrap();
    assert!(text.contains("writer 1 iteration 1"), "{text}");
}

#[test]
fn a_staged_assembly_replaces_out_only_when_swapped_in() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    app(0, 0, 2).synth().unwrap().write(&out).unwrap();
    let first = std::fs::read_to_string(out.join("Stack0.template.json")).unwrap();

    let staged = synth::assembly::staging_beside(&out).unwrap();
    assert_eq!(staged.parent(), Some(root.path()), "beside out/");
    assert!(!staged.exists());
    // What an app run with SYNTH_OUTDIR=<staged> does.
    app(1, 1, 3).synth().unwrap().write(&staged).unwrap();
    check_complete(&staged);
    // Not swapped in yet: out/ is untouched.
    assert_eq!(
        std::fs::read_to_string(out.join("Stack0.template.json")).unwrap(),
        first
    );
    synth::assembly::swap_in(&staged, &out).unwrap();
    check_complete(&out);
    assert!(out.join("Stack2.template.json").is_file());
    assert!(!staged.exists());
    let names: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"], "nothing left beside out/");
}
