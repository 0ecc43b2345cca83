//! Progress while CloudFormation works: on a terminal, one live line
//! (resources done of total, the resource in progress, elapsed time);
//! otherwise, or with `--progress events`, one line per stack event.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Instant;

use aws_sdk_cloudformation::types::StackEvent;

use crate::ui::Ui;

pub struct Progress {
    stack: String,
    total: usize,
    done: BTreeSet<String>,
    current: String,
    status: String,
    started: Instant,
    live: bool,
    silent: bool,
    ui: Ui,
}

impl Progress {
    pub fn new(stack: &str, total: usize, events: bool, ui: Ui) -> Progress {
        let live = !events && ui.color_err && !ui.quiet;
        // `-q`: failures still show (they are the error's cause), the
        // stream of events does not.
        Progress {
            stack: stack.to_owned(),
            total,
            done: BTreeSet::new(),
            current: String::new(),
            status: String::new(),
            started: Instant::now(),
            live,
            silent: false,
            ui,
        }
    }

    /// Shows nothing (waiting on someone else's operation).
    pub fn quiet() -> Progress {
        let mut p = Progress::new("", 0, true, Ui::default());
        p.silent = true;
        p
    }

    fn elapsed(&self) -> String {
        let s = self.started.elapsed().as_secs();
        format!("{}m{:02}s", s / 60, s % 60)
    }

    pub fn event(&mut self, e: &StackEvent) {
        if self.silent {
            return;
        }
        let id = e.logical_resource_id().unwrap_or("?");
        let status = e.resource_status().map(|s| s.as_str()).unwrap_or("?");
        let is_stack = e.resource_type() == Some("AWS::CloudFormation::Stack");
        if !is_stack && (status.ends_with("_COMPLETE") || status.ends_with("_SKIPPED")) {
            self.done.insert(id.to_owned());
        }
        if !is_stack && status.ends_with("_IN_PROGRESS") {
            self.current = id.to_owned();
        }
        let failed = status.ends_with("_FAILED");
        if self.live && !failed {
            self.redraw();
            return;
        }
        if self.ui.quiet && !failed {
            return;
        }
        let reason = e
            .resource_status_reason()
            .map(|r| format!("  {r}"))
            .unwrap_or_default();
        let line = format!(
            "{} {:>8}  {:<32} {:<36} {}{reason}",
            self.stack,
            self.elapsed(),
            status,
            e.resource_type().unwrap_or("?"),
            id
        );
        if self.live {
            self.clear();
        }
        self.ui.err(line);
        if self.live {
            self.redraw();
        }
    }

    pub fn status(&mut self, status: &str) {
        if self.status != status {
            self.status = status.to_owned();
            if self.live {
                self.redraw();
            }
        }
    }

    fn clear(&self) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }

    fn redraw(&self) {
        let mut err = std::io::stderr().lock();
        let done = self.done.len().min(self.total);
        let _ = write!(
            err,
            "\r\x1b[K{}  {done}/{} resources  {}  {}  {}",
            self.stack,
            self.total,
            self.status,
            self.current,
            self.elapsed()
        );
        let _ = err.flush();
    }

    /// Ends the live line.
    pub fn finish(&mut self) {
        if self.silent {
            return;
        }
        if self.live {
            self.clear();
        }
        self.ui.info(format!(
            "{}: {} after {}",
            self.stack,
            self.status,
            self.elapsed()
        ));
    }
}
