//! Where a resource starts in a rendered template, for reports that point
//! at a line. synth renders templates pretty-printed (two-space JSON, or
//! block YAML), so the resource's key sits alone on a line one level below
//! `Resources`.

/// The 1-based line of the key `logical_id` directly under the top-level
/// `Resources` of `text`, if found.
pub fn resource_line(text: &str, logical_id: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| {
        let indent = indent_of(l);
        indent <= 2 && key_of(l.trim_start()) == Some("Resources")
    })?;
    let section_indent = indent_of(lines[start]);
    let mut child_indent = None;
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_of(line);
        if indent <= section_indent {
            break;
        }
        let child = *child_indent.get_or_insert(indent);
        if indent == child && key_of(line.trim_start()) == Some(logical_id) {
            return Some(i + 1);
        }
    }
    None
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The key a `"Key": ...` or `Key: ...` line opens.
fn key_of(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix('"') {
        let end = rest.find('"')?;
        return rest[end + 1..].starts_with(':').then(|| &rest[..end]);
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim_matches('\'');
    (!key.is_empty() && !key.contains(' ')).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_resource_key_in_json_and_yaml() {
        let json = "{\n  \"Parameters\": {\n    \"Bucket\": {}\n  },\n  \"Resources\": {\n    \"Role\": {\n      \"Properties\": {\n        \"Bucket\": 1\n      }\n    },\n    \"Bucket\": {}\n  }\n}\n";
        assert_eq!(resource_line(json, "Bucket"), Some(11));
        assert_eq!(resource_line(json, "Role"), Some(6));
        assert_eq!(resource_line(json, "Properties"), None);
        let yaml = "Parameters:\n  Bucket:\n    Type: String\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Bucket: x\n  Bucket:\n    Type: AWS::S3::Bucket\nOutputs:\n  Other: {}\n";
        assert_eq!(resource_line(yaml, "Bucket"), Some(9));
        assert_eq!(resource_line(yaml, "Other"), None);
        assert_eq!(resource_line("not a template", "Bucket"), None);
    }
}
