//! `read_access.rs`: per resource type, the IAM actions that read its
//! configuration, from the read handler of its schema. Drift detection
//! reads every resource of a stack with the caller's permissions, so a
//! role that only detects drift needs exactly these.
//!
//! The read handlers list more than reads: some name writes (`iam:PassRole`,
//! `kms:CreateGrant`) and some read data or secrets rather than settings
//! (`secretsmanager:GetSecretValue`, `s3:GetObject`). Only actions whose
//! verb reads are kept, and the data and secret reads are dropped: a role
//! that merge request pipelines assume must not reach them.

use std::fmt::Write as _;

use serde_json::Value;

/// Verbs of actions that only read.
const READ_VERBS: &[&str] = &["Describe", "Get", "List", "BatchGet", "Search", "Lookup"];

/// Reads of data, secrets or credentials rather than of settings.
const NOT_SETTINGS: &[&str] = &[
    "bedrock-agentcore:GetApiKeyCredentialProvider",
    "bedrock-agentcore:GetOauth2CredentialProvider",
    "bedrock-agentcore:GetPaymentCredentialProvider",
    "cognito-idp:ListUserPoolClientSecrets",
    "dynamodb:GetItem",
    "iotmanagedintegrations:GetCredentialLocker",
    "ivs:GetStreamKey",
    "kms:GetParametersForImport",
    "lakeformation:GetDataAccess",
    "route53globalresolver:GetAccessToken",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListObjects",
    "secretsmanager:GetSecretValue",
    "sts:GetWebIdentityToken",
    "wisdom:GetContent",
];

/// Whether `action` (`service:Verb...`) reads settings only.
pub fn reads_settings(action: &str) -> bool {
    let Some((_, verb)) = action.split_once(':') else {
        return false;
    };
    // `Get*` of a whole service would include its data reads too.
    let whole_service = verb == "Get*" || verb.starts_with('*');
    !whole_service
        && READ_VERBS.iter().any(|v| verb.starts_with(v))
        && !NOT_SETTINGS.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// The read handler's setting reads of one schema, sorted, without
/// duplicates; `None` when the schema has no read handler.
pub fn of_schema(schema: &Value) -> Option<Vec<String>> {
    let permissions = schema
        .get("handlers")?
        .get("read")?
        .get("permissions")?
        .as_array()?;
    let mut actions: Vec<String> = permissions
        .iter()
        .filter_map(Value::as_str)
        .filter(|a| reads_settings(a))
        .map(str::to_owned)
        .collect();
    actions.sort();
    actions.dedup();
    Some(actions)
}

/// The file: one sorted table of `(type name, actions)` over every type
/// with a read handler, always compiled.
pub fn file(header: &str, rows: &[(&str, &[String])]) -> String {
    let mut out = String::new();
    out.push_str(header);
    out.push_str(
        "//! The IAM actions that read each resource type's configuration: the\n\
         //! read handler's permissions of its schema, without writes and without\n\
         //! reads of data or secrets. Drift detection reads every resource of a\n\
         //! stack with the caller's permissions. Always compiled, whatever the\n\
         //! features.\n\n\
         /// `(type name, actions)`, sorted by type name.\n\
         #[rustfmt::skip]\n\
         static READ_ACTIONS: &[(&str, &[&str])] = &[\n",
    );
    for (type_name, actions) in rows {
        let list: Vec<String> = actions.iter().map(|a| format!("{a:?}")).collect();
        let _ = writeln!(out, "    ({type_name:?}, &[{}]),", list.join(", "));
    }
    out.push_str(
        "];\n\n\
         /// The actions that read `type_name`'s configuration, sorted; `None`\n\
         /// when its schema has no read handler or the type is unknown.\n\
         pub fn read_actions(type_name: &str) -> Option<&'static [&'static str]> {\n    \
         READ_ACTIONS\n        \
         .binary_search_by(|(name, _)| (*name).cmp(type_name))\n        \
         .ok()\n        \
         .map(|i| READ_ACTIONS[i].1)\n}\n\n\
         /// Every type with a read handler, sorted.\n\
         pub fn types() -> impl Iterator<Item = &'static str> {\n    \
         READ_ACTIONS.iter().map(|(name, _)| *name)\n}\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_reads_of_settings_and_drops_writes_data_and_secrets() {
        let schema = json!({"handlers": {"read": {"permissions": [
            "s3:GetBucketTagging", "s3:ListBucket", "iam:PassRole", "kms:Decrypt",
            "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
            "s3:GetObject", "kms:CreateGrant", "ec2:DescribeVpcs", "ec2:DescribeVpcs",
            "fleets:Get*", "ec2:Describe*", "*"
        ]}}});
        assert_eq!(
            of_schema(&schema).unwrap(),
            [
                "ec2:Describe*",
                "ec2:DescribeVpcs",
                "s3:GetBucketTagging",
                "s3:ListBucket",
                "secretsmanager:DescribeSecret"
            ]
        );
        assert_eq!(of_schema(&json!({"handlers": {}})), None);
        assert!(!reads_settings("no-colon"));
    }
}
