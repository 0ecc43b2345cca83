//! SIGKILL at arbitrary points of writing a cloud assembly (the process
//! `assembly-writer` rewrites one directory in a loop): afterwards the
//! directory always holds a complete assembly, old or new, and the next
//! write removes what the killed writers left beside it; writer processes
//! running at once all succeed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Panics unless `dir` holds a manifest whose templates all exist and parse.
fn check_complete(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("no manifest.json after a kill: {e}"));
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("a whole manifest");
    for s in manifest["stacks"].as_array().expect("stacks") {
        let file = dir.join(s["template"].as_str().expect("template"));
        let t = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{} named but missing: {e}", file.display()));
        serde_json::from_str::<serde_json::Value>(&t).expect("a whole template");
    }
}

#[test]
fn sigkill_while_writing_never_leaves_out_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let writer = env!("CARGO_BIN_EXE_assembly-writer");
    let first = Command::new(writer).arg(&out).arg("1").status().unwrap();
    assert!(first.success());
    // Kill points spread over a writer's life: a fixed pseudo-random
    // sequence, so a failure can be replayed.
    let mut seed: u64 = 0x5EED;
    for _ in 0..40 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_micros(2_000 + (seed >> 33) % 60_000);
        let mut child = Command::new(writer)
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        check_complete(&out);
    }
    // The next write cleans up after the killed ones.
    let last = Command::new(writer).arg(&out).arg("1").status().unwrap();
    assert!(last.success());
    check_complete(&out);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"], "leftovers of killed writers remain");
}

#[test]
fn concurrent_writer_processes_all_succeed_and_leave_one_complete_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let writer = env!("CARGO_BIN_EXE_assembly-writer");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(writer)
                .arg(&out)
                .arg("30")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "a writer failed beside the others: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
    check_complete(&out);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"], "leftovers beside out/");
}
