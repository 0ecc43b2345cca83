//! The ARN a reference to a resource of the stack stands for, as an IAM
//! pattern: a statement on `!GetAtt Logs.Arn` names a log group of this
//! account and region, which a statement on `arn:aws:logs:*:*:*` already
//! covers. What is only known at deploy (generated names, parameters,
//! imports) becomes `*`, so a pattern is never narrower than the values
//! it stands for.

use crate::value::{Json, Map};

use crate::normalize::Environment;
use crate::template::Resources;

/// The ARN formats of references, by type and attribute (`Ref` for a
/// `Ref`); `{p}`, `{r}`, `{a}` are partition, region and account, `*` the
/// generated name. Types whose `Ref` is a name or URL, not an ARN, list
/// only their ARN attribute.
const FORMATS: &[(&str, &str, &str)] = &[
    (
        "AWS::DynamoDB::Table",
        "Arn",
        "arn:{p}:dynamodb:{r}:{a}:table/*",
    ),
    (
        "AWS::ECR::Repository",
        "Arn",
        "arn:{p}:ecr:{r}:{a}:repository/*",
    ),
    ("AWS::IAM::Role", "Arn", "arn:{p}:iam::{a}:role/*"),
    (
        "AWS::IAM::ManagedPolicy",
        "Ref",
        "arn:{p}:iam::{a}:policy/*",
    ),
    (
        "AWS::Kinesis::Stream",
        "Arn",
        "arn:{p}:kinesis:{r}:{a}:stream/*",
    ),
    ("AWS::KMS::Key", "Arn", "arn:{p}:kms:{r}:{a}:key/*"),
    (
        "AWS::Lambda::Function",
        "Arn",
        "arn:{p}:lambda:{r}:{a}:function:*",
    ),
    (
        "AWS::Logs::LogGroup",
        "Arn",
        "arn:{p}:logs:{r}:{a}:log-group:*",
    ),
    ("AWS::S3::Bucket", "Arn", "arn:{p}:s3:::*"),
    (
        "AWS::SecretsManager::Secret",
        "Ref",
        "arn:{p}:secretsmanager:{r}:{a}:secret:*",
    ),
    ("AWS::SNS::Topic", "Ref", "arn:{p}:sns:{r}:{a}:*"),
    ("AWS::SNS::Topic", "TopicArn", "arn:{p}:sns:{r}:{a}:*"),
    ("AWS::SQS::Queue", "Arn", "arn:{p}:sqs:{r}:{a}:*"),
    (
        "AWS::StepFunctions::StateMachine",
        "Ref",
        "arn:{p}:states:{r}:{a}:stateMachine:*",
    ),
];

/// The resources of one template and where it is deployed.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub resources: Resources<'a>,
    pub env: &'a Environment,
}

impl Side<'_> {
    /// The pattern of a reference to `id` (`attribute` `Ref` for a `Ref`);
    /// `*` for parameters, unknown types and attributes.
    fn reference(&self, id: &str, attribute: &str) -> String {
        let type_name = self
            .resources
            .attributes(id)
            .and_then(|r| r.get("Type"))
            .and_then(Json::as_str);
        let Some(type_name) = type_name else {
            return "*".to_owned();
        };
        FORMATS
            .iter()
            .find(|(t, a, _)| *t == type_name && *a == attribute)
            .map_or_else(
                || "*".to_owned(),
                |(_, _, f)| {
                    f.replace("{p}", &self.env.partition)
                        .replace("{r}", &self.env.region)
                        .replace("{a}", &self.env.account)
                },
            )
    }

    /// The pattern a value of a statement's `Resource` stands for.
    pub fn pattern(&self, v: &Json) -> String {
        match v {
            Json::String(s) => s.to_string(),
            Json::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().expect("one entry");
                match (k.as_str(), arg) {
                    ("Ref", Json::String(id)) => self.reference(id, "Ref"),
                    ("Fn::GetAtt", Json::Array(a)) => match (a.first(), a.get(1)) {
                        (Some(Json::String(id)), Some(Json::String(attr))) => {
                            self.reference(id, attr)
                        }
                        _ => "*".to_owned(),
                    },
                    ("Fn::Sub", Json::String(text)) => self.sub(text, &Map::new()),
                    ("Fn::Sub", Json::Array(a)) => match (a.first(), a.get(1)) {
                        (Some(Json::String(text)), Some(Json::Object(vars))) => {
                            self.sub(text, vars)
                        }
                        (Some(Json::String(text)), None) => self.sub(text, &Map::new()),
                        _ => "*".to_owned(),
                    },
                    ("Fn::Join", Json::Array(a)) => match (a.first(), a.get(1)) {
                        (Some(Json::String(sep)), Some(Json::Array(items))) => items
                            .iter()
                            .map(|i| self.pattern(i))
                            .collect::<Vec<_>>()
                            .join(sep),
                        _ => "*".to_owned(),
                    },
                    _ => "*".to_owned(),
                }
            }
            _ => "*".to_owned(),
        }
    }

    fn sub(&self, text: &str, vars: &Map) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(&self.pattern(v));
            } else {
                match name.split_once('.') {
                    Some((id, attr)) => out.push_str(&self.reference(id, attr)),
                    None => out.push_str(&self.reference(name, "Ref")),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// IAM's wildcard match (`*` any run, `?` one character) of `pattern`
/// against `text`, where `text` may itself be a pattern: true only if
/// every value `text` matches is matched by `pattern` (a `?` does not
/// stand for a `*`).
pub fn glob_covers(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && ((p[pi] == b'?' && t[ti] != b'*') || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn references_become_their_arn_patterns() {
        let resources = json!({
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "B": {"Type": "AWS::S3::Bucket"},
            "X": {"Type": "Custom::Thing"}
        });
        let env = Environment::new(Some("eu-west-1"), Some("111111111111"), None);
        let none = crate::template::Ids::default();
        let side = Side {
            resources: Resources::all(resources.as_object().unwrap(), &none),
            env: &env,
        };
        assert_eq!(
            side.pattern(&json!({"Fn::GetAtt": ["Logs", "Arn"]})),
            "arn:aws:logs:eu-west-1:111111111111:log-group:*"
        );
        assert_eq!(
            side.pattern(&json!({"Fn::Sub": "${B.Arn}/*"})),
            "arn:aws:s3:::*/*"
        );
        // A bucket's Ref is its name: unknown.
        assert_eq!(
            side.pattern(&json!({"Fn::Sub": "arn:aws:s3:::${B}/${!x}"})),
            "arn:aws:s3:::*/${x}"
        );
        assert_eq!(side.pattern(&json!({"Fn::GetAtt": ["X", "Arn"]})), "*");
        assert_eq!(side.pattern(&json!({"Fn::ImportValue": "e"})), "*");
    }

    #[test]
    fn a_pattern_covers_what_its_wildcards_contain() {
        assert!(glob_covers(
            "arn:aws:logs:*:*:*",
            "arn:aws:logs:r:a:log-group:*"
        ));
        assert!(glob_covers("a*b", "a*xb"));
        assert!(glob_covers("*", "*"));
        assert!(!glob_covers(
            "arn:aws:logs:r:a:log-group:x",
            "arn:aws:logs:r:a:log-group:*"
        ));
        // `?` is one character; the narrow side's `*` may be many.
        assert!(!glob_covers("a?c", "a*c"));
        assert!(glob_covers("a?c", "abc"));
        assert!(!glob_covers("s3:get*", "s3:put*"));
    }
}
