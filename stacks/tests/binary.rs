//! The `stacks` binary reads its settings from the `SYNTH_*` variables the
//! command line sets, and works with defaults when run alone.

use std::process::Command;

use synth::manifest::Manifest;

fn stacks() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stacks"));
    for var in [
        "SYNTH_OUTDIR",
        "SYNTH_REGION",
        "SYNTH_ACCOUNT",
        "SYNTH_CONTEXT",
        "SYNTH_FORMAT",
        "SYNTH_QUIET",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn run_alone_it_writes_json_into_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = stacks().current_dir(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("GitlabEks  out/GitlabEks.template.json  (35 resources)"),
        "{stdout}"
    );
    let m = Manifest::read(&dir.path().join("out")).unwrap();
    assert_eq!(m.stacks[0].environment.region, None);
}

#[test]
fn the_command_lines_variables_set_outdir_format_region_account_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("assembly");
    let out = stacks()
        .env("SYNTH_OUTDIR", &target)
        .env("SYNTH_FORMAT", "yaml")
        .env("SYNTH_REGION", "eu-central-1")
        .env("SYNTH_ACCOUNT", "123456789012")
        .env("SYNTH_CONTEXT", r#"{"stage":"test"}"#)
        .env("SYNTH_QUIET", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "quiet");
    let m = Manifest::read(&target).unwrap();
    let s = &m.stacks[0];
    assert_eq!(s.template, "GitlabEks.template.yaml");
    assert_eq!(s.environment.region.as_deref(), Some("eu-central-1"));
    assert_eq!(s.environment.account.as_deref(), Some("123456789012"));
    assert!(target.join("GitlabEks.template.yaml").exists());
}

#[test]
fn bad_settings_are_reported_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = stacks()
        .current_dir(dir.path())
        .env("SYNTH_FORMAT", "xml")
        .env("SYNTH_CONTEXT", "not json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown template format \"xml\""),
        "{stderr}"
    );
    assert!(stderr.contains("context is not a JSON object"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
