//! Output: plain text, colored only on a terminal and only without
//! `NO_COLOR`; a closed pipe (`synth list | head`) is not an error.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ui {
    /// Color what goes to stdout.
    pub color_out: bool,
    /// Color what goes to stderr.
    pub color_err: bool,
    /// `-q`: print only what was asked for and errors.
    pub quiet: bool,
}

impl Ui {
    /// Colors per stream: on when it is a terminal and `NO_COLOR` is unset
    /// or empty (no-color.org).
    pub fn detect(env: &BTreeMap<String, String>, quiet: bool) -> Ui {
        let no_color = env.get("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui {
            color_out: !no_color && std::io::stdout().is_terminal(),
            color_err: !no_color && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Writes a line to stdout.
    pub fn out(&self, line: impl Display) {
        let mut out = std::io::stdout().lock();
        // A reader that went away (EPIPE) just stops reading; nothing to say.
        let _ = writeln!(out, "{line}");
    }

    /// Writes a line to stderr (progress, notes, hints).
    pub fn err(&self, line: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    /// Writes a note to stderr unless `-q`.
    pub fn info(&self, line: impl Display) {
        if !self.quiet {
            self.err(line);
        }
    }

    /// `warning:` and a line to stderr, even with `-q`: it says an
    /// operation will not do what the reader expects.
    pub fn warn(&self, line: impl Display) {
        self.err(format!(
            "{} {line}",
            paint(self.color_err, "1;33", "warning:")
        ));
    }

    pub fn bold(&self, s: &str) -> String {
        paint(self.color_out, "1", s)
    }

    pub fn dim(&self, s: &str) -> String {
        paint(self.color_out, "2", s)
    }

    /// `error:` in red on stderr.
    pub fn error_label(&self) -> String {
        paint(self.color_err, "1;31", "error:")
    }

    /// `hint:` in yellow on stderr.
    pub fn hint_label(&self) -> String {
        paint(self.color_err, "33", "hint:")
    }
}

/// Resolves when the process gets SIGINT or SIGTERM, with the signal's
/// name; never when signals cannot be watched.
pub async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Left-aligned columns, two spaces apart; the last column is not padded.
/// `width` counts characters of the plain text, so color codes added to a
/// cell afterwards (`style`) do not break the alignment.
pub fn table(rows: &[Vec<String>], style: impl Fn(usize, &str) -> String) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                line.push_str(&style(c, cell));
                if c + 1 < row.len() {
                    let pad = widths[c] - cell.chars().count() + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            line
        })
        .collect()
}

/// Asks a yes/no question on the terminal (default no). Without a terminal
/// on stdin nobody can answer: `None`.
pub fn ask(question: &str) -> Option<std::io::Result<bool>> {
    use std::io::BufRead;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    Some(
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map(|_| matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_on_plain_widths() {
        let rows = vec![
            vec!["NAME".to_string(), "REGION".to_string(), "X".to_string()],
            vec!["Network".to_string(), "any".to_string(), "-".to_string()],
        ];
        let plain = table(&rows, |_, s| s.to_string());
        assert_eq!(plain, vec!["NAME     REGION  X", "Network  any     -"]);
        let styled = table(&rows, |c, s| {
            if c == 0 {
                format!("<{s}>")
            } else {
                s.to_string()
            }
        });
        assert_eq!(styled[1], "<Network>  any     -");
    }

    #[test]
    fn no_color_without_a_terminal_or_with_no_color() {
        let ui = Ui {
            color_out: false,
            color_err: false,
            quiet: false,
        };
        assert_eq!(ui.bold("x"), "x");
        let ui = Ui {
            color_out: true,
            ..ui
        };
        assert_eq!(ui.bold("x"), "\x1b[1mx\x1b[0m");
        let env = BTreeMap::from([("NO_COLOR".to_string(), "1".to_string())]);
        let ui = Ui::detect(&env, false);
        assert!(!ui.color_out && !ui.color_err);
    }
}
