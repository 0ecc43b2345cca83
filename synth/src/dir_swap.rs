//! Putting a freshly written directory in the place of another so that
//! readers (and concurrent writers) only ever see the old one or the new
//! one, never a gap: on Linux one `renameat2(RENAME_EXCHANGE)` swaps them;
//! elsewhere, or on a file system without it, two renames with the old
//! directory put back on failure.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A name for a scratch directory beside `dir`, unique to this process
/// and call: `.<name>.<kind>-<pid>-<n>`.
pub fn scratch(parent: &Path, name: &str, kind: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".{name}.{kind}-{}-{n}", std::process::id()))
}

/// Removes scratch directories of `name` in `parent` left by processes
/// that no longer run (killed during a swap).
pub fn clean_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some(rest) = prefixes.iter().find_map(|p| file.strip_prefix(p.as_str())) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !process_runs(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_runs(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_runs(pid: u32) -> bool {
    // Without /proc, only this process is known to run.
    pid == std::process::id()
}

/// Puts `staging` (a complete directory) at `dir` and removes what was
/// there. `dir` is never missing while this runs when it existed before.
pub fn replace(staging: &Path, dir: &Path, old: &Path) -> io::Result<()> {
    if !dir.exists() {
        match fs::rename(staging, dir) {
            Ok(()) => return Ok(()),
            // Another writer put a directory there meanwhile: swap with it.
            Err(_) if dir.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    if exchange(staging, dir).is_ok() {
        // `staging` now holds the previous directory.
        let _ = fs::remove_dir_all(staging);
        return Ok(());
    }
    let _ = fs::remove_dir_all(old);
    fs::rename(dir, old)?;
    if let Err(e) = fs::rename(staging, dir) {
        // Put the previous directory back rather than leave nothing.
        let _ = fs::rename(old, dir);
        return Err(e);
    }
    let _ = fs::remove_dir_all(old);
    Ok(())
}

/// Atomically swaps two existing paths.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_swaps_in_the_new_directory_and_removes_the_old() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let staging = scratch(tmp.path(), "out", "staging");
        let old = scratch(tmp.path(), "out", "old");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a"), "old").unwrap();
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("a"), "new").unwrap();
        replace(&staging, &dir, &old).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a")).unwrap(), "new");
        assert!(!staging.exists() && !old.exists());
        // Into a place that does not exist yet.
        let fresh = tmp.path().join("fresh");
        fs::create_dir(&staging).unwrap();
        replace(&staging, &fresh, &old).unwrap();
        assert!(fresh.is_dir() && !staging.exists());
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        // PID 0 never names a user process.
        let dead = tmp.path().join(".out.old-0-3");
        let live = scratch(tmp.path(), "out", "staging");
        let other = tmp.path().join(".other.old-0-1");
        for d in [&dead, &live, &other] {
            fs::create_dir(d).unwrap();
        }
        clean_leftovers(tmp.path(), "out");
        assert!(!dead.exists());
        assert!(live.exists() && other.exists());
    }
}
