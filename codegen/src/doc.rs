//! Schema descriptions as rustdoc text that renders as written and never
//! turns into a doctest, a broken intra-doc link or an HTML tag.

/// HTML that some schemas use, as Markdown (or dropped), in descriptions
/// written in HTML.
const HTML: &[(&str, &str)] = &[
    ("<p>", "\n\n"),
    ("</p>", "\n\n"),
    ("<ul>", "\n\n"),
    ("</ul>", "\n\n"),
    ("<li>", "\n\n- "),
    ("</li>", "\n\n"),
    ("<code>", "`"),
    ("</code>", "`"),
    ("<i>", ""),
    ("</i>", ""),
    ("<b>", ""),
    ("</b>", ""),
];

/// Sanitized doc lines (without the `///` prefix), one paragraph a line
/// with blank lines between: no leading whitespace (so no indented code
/// blocks), no code fences, no list item with a lazy continuation, and
/// Markdown that rustdoc would misread escaped. A line that continues a
/// sentence (it starts in lower case after one without a full stop) is
/// joined to the one before.
pub fn sanitize(text: &str) -> Vec<String> {
    // The schemas' documentation prefixes some absolute links with the
    // documentation host a second time (`https://docs.aws.amazon.com/http://..`).
    let mut text = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace("https://docs.aws.amazon.com/http", "http");
    let html = ["<p>", "</p>", "<code>", "<li>"]
        .iter()
        .any(|t| text.contains(t));
    if html {
        for (tag, replacement) in HTML {
            text = text.replace(tag, replacement);
        }
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut open = false;
    for raw in text.split('\n') {
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let line = cleaned.trim();
        if line.is_empty() {
            open = false;
            continue;
        }
        let continues = open
            && line.starts_with(|c: char| c.is_lowercase())
            && paragraphs
                .last()
                .is_some_and(|p| !p.ends_with(['.', ':', '!', '?']));
        if continues {
            let last = paragraphs.last_mut().expect("an open paragraph");
            last.push(' ');
            last.push_str(line);
        } else {
            paragraphs.push(line.to_owned());
        }
        open = true;
    }
    let mut lines = Vec::with_capacity(paragraphs.len() * 2);
    for p in paragraphs {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(escape_line(&p));
    }
    lines
}

/// The first paragraph of a sanitized text, on one line: for lists and
/// argument summaries.
pub fn summary(text: &str) -> String {
    sanitize(text)
        .into_iter()
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escapes one line (already trimmed). Code spans (one or two backticks,
/// closed on the same line) are kept verbatim; longer backtick runs, which
/// could open a fence, are escaped, as are unmatched backticks.
fn escape_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = run_length(&chars, i, '`');
            if run <= 2 {
                if let Some(end) = find_closing_run(&chars, i + run, run) {
                    out.extend(&chars[i..end + run]);
                    i = end + run;
                    continue;
                }
            }
            for _ in 0..run {
                out.push_str("\\`");
            }
            i += run;
            continue;
        }
        if c == '~' && i == 0 {
            out.push_str("\\~");
            i += 1;
            continue;
        }
        if c == '[' {
            if let Some((text_end, url_end)) = inline_link(&chars, i) {
                if text_end == i + 1 {
                    // `[](url)`: the URL is the only text there is.
                    out.push('<');
                    out.extend(&chars[text_end + 2..url_end]);
                    out.push('>');
                    i = url_end + 1;
                    continue;
                }
                out.push('[');
                out.push_str(&escape_plain(&chars[i + 1..text_end]));
                out.push_str("](");
                out.extend(&chars[text_end + 2..url_end]);
                out.push(')');
                i = url_end + 1;
                continue;
            }
        }
        if starts_with(&chars, i, "http://") || starts_with(&chars, i, "https://") {
            let end = url_end(&chars, i);
            out.push('<');
            out.extend(&chars[i..end]);
            out.push('>');
            i = end;
            continue;
        }
        push_escaped(&mut out, c);
        i += 1;
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '[' | ']' | '<' | '>' | '`' | '\\' => {
            out.push('\\');
            out.push(c);
        }
        _ => out.push(c),
    }
}

/// Text inside a link: brackets, angle brackets and backticks escaped.
fn escape_plain(chars: &[char]) -> String {
    let mut out = String::new();
    for &c in chars {
        push_escaped(&mut out, c);
    }
    out
}

fn run_length(chars: &[char], start: usize, c: char) -> usize {
    chars[start..].iter().take_while(|&&x| x == c).count()
}

/// The start of the next backtick run of exactly `len` from `from` on.
fn find_closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == '`' {
            let run = run_length(chars, j, '`');
            if run == len {
                return Some(j);
            }
            j += run;
        } else {
            j += 1;
        }
    }
    None
}

fn starts_with(chars: &[char], at: usize, s: &str) -> bool {
    let mut rest = chars.get(at..).unwrap_or_default().iter();
    s.chars().all(|c| rest.next() == Some(&c))
}

/// Where a bare URL starting at `start` ends: at whitespace or a character
/// that cannot be part of it, without trailing punctuation.
fn url_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() {
        let c = chars[end];
        if c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '"' | '\'' | '`' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | '\\'
            )
        {
            break;
        }
        end += 1;
    }
    while end > start
        && matches!(
            chars[end - 1],
            '.' | ',' | ';' | ':' | '!' | '?' | '*' | '_'
        )
    {
        end -= 1;
    }
    end
}

/// `[text](http...)` starting at `start`: the index of `]` and of `)`.
fn inline_link(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let mut j = start + 1;
    while j < chars.len() && !matches!(chars[j], '[' | ']' | '`') {
        j += 1;
    }
    if j >= chars.len() || chars[j] != ']' || chars.get(j + 1) != Some(&'(') {
        return None;
    }
    let url_start = j + 2;
    if !starts_with(chars, url_start, "http://") && !starts_with(chars, url_start, "https://") {
        return None;
    }
    let mut k = url_start;
    while k < chars.len() && chars[k] != ')' {
        if chars[k].is_whitespace() || matches!(chars[k], '<' | '>' | '`' | '(') {
            return None;
        }
        k += 1;
    }
    if k >= chars.len() {
        return None;
    }
    Some((j, k))
}

/// Doc comment lines at an indentation: `/// line` (or `///` for blanks).
pub fn render(lines: &[String], indent: &str) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(indent);
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_indentation_and_collapses_blank_lines() {
        let lines = sanitize("  First line.\n\n\n\n      indented code\n\t Tabbed  \n\n");
        assert_eq!(
            lines,
            vec!["First line.", "", "indented code", "", "Tabbed"]
        );
    }

    #[test]
    fn neutralizes_fences() {
        let lines = sanitize("Example:\n```json\n{\"a\": 1}\n```\n~~~\nX\n~~~");
        assert_eq!(lines[2], "\\`\\`\\`json");
        assert_eq!(lines[6], "\\`\\`\\`");
        assert_eq!(lines[8], "\\~~~");
        assert!(lines
            .iter()
            .all(|l| !l.starts_with("```") && !l.starts_with("~~~")));
    }

    #[test]
    fn keeps_code_spans_and_escapes_the_rest() {
        assert_eq!(
            sanitize("Use `a[0] <b>` or ``S3Origin``.")[0],
            "Use `a[0] <b>` or ``S3Origin``."
        );
        assert_eq!(
            sanitize("An [array] of <tags>")[0],
            "An \\[array\\] of \\<tags\\>"
        );
        assert_eq!(sanitize("unmatched ` tick")[0], "unmatched \\` tick");
        assert_eq!(
            sanitize("Map<String, List<String>>")[0],
            "Map\\<String, List\\<String\\>\\>"
        );
    }

    #[test]
    fn keeps_links_and_wraps_bare_urls() {
        assert_eq!(
            sanitize("See [the guide](https://docs.aws.amazon.com/x.html#y) now.")[0],
            "See [the guide](https://docs.aws.amazon.com/x.html#y) now."
        );
        assert_eq!(
            sanitize("See [numbers](https://docs.aws.amazon.com/http://www.iana.org/x.xhtml).")[0],
            "See [numbers](http://www.iana.org/x.xhtml)."
        );
        assert_eq!(
            sanitize("See https://example.com/a_b. And (http://x.io/p).")[0],
            "See <https://example.com/a_b>. And (<http://x.io/p>)."
        );
        assert_eq!(sanitize("[x](not a url)")[0], "\\[x\\](not a url)");
        assert_eq!(
            sanitize("Use [](https://a.io/b) now")[0],
            "Use <https://a.io/b> now"
        );
    }

    #[test]
    fn escapes_backslashes_so_escapes_stay_literal() {
        assert_eq!(sanitize(r"\[x\] ^\d+$")[0], r"\\\[x\\\] ^\\d+$");
    }

    #[test]
    fn removes_carriage_returns_and_control_characters() {
        assert_eq!(sanitize("A\r\nB\rC\u{7}d"), vec!["A", "", "B", "", "C d"]);
    }

    #[test]
    fn lines_become_paragraphs_unless_they_continue_a_sentence() {
        assert_eq!(
            sanitize("The key, if given,\nbut not the alias.\n- item\nNext."),
            vec![
                "The key, if given, but not the alias.",
                "",
                "- item",
                "",
                "Next."
            ]
        );
    }

    #[test]
    fn converts_common_html() {
        assert_eq!(
            sanitize("<p>Use <code>a<b></code> or <i>b</i>.</p><ul><li>One</li></ul>"),
            vec!["Use `a` or b.", "", "- One"]
        );
    }

    #[test]
    fn summary_is_the_first_paragraph() {
        assert_eq!(summary("One\ntwo\n\nthree"), "One two");
        assert_eq!(summary("One.\nTwo"), "One.");
    }

    #[test]
    fn renders_doc_comments() {
        let lines = vec!["a".to_owned(), String::new(), "b".to_owned()];
        assert_eq!(render(&lines, "    "), "    /// a\n    ///\n    /// b\n");
    }
}
