//! What some AWS managed policies grant, and the whole action list of
//! some small services, so that replacing a managed policy by inline
//! statements can be judged: detaching `AmazonEC2RoleforSSM` while adding
//! `ec2messages:*` on `*` grants nothing new, since that service has no
//! action the policy did not already allow. Policies and services not
//! listed stay unknown: a wildcard on them, or attaching them, counts as
//! new access.

/// One statement: allowed actions on a resource.
pub type Grant = (&'static [&'static str], &'static str);

const SSM_CORE: &[&str] = &[
    "ssm:DescribeAssociation",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:DescribeDocument",
    "ssm:GetManifest",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutInventory",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
];

const SSMMESSAGES: &[&str] = &[
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

const EC2MESSAGES: &[&str] = &[
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
];

/// `service-role/AmazonEC2RoleforSSM`, version v8 (default since 2019).
const EC2_ROLE_FOR_SSM: &[Grant] = &[
    (SSM_CORE, "*"),
    (SSMMESSAGES, "*"),
    (EC2MESSAGES, "*"),
    (&["cloudwatch:PutMetricData"], "*"),
    (&["ec2:DescribeInstanceStatus"], "*"),
    (&["ds:CreateComputer", "ds:DescribeDirectories"], "*"),
    (
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ],
        "*",
    ),
    (
        &[
            "s3:GetBucketLocation",
            "s3:PutObject",
            "s3:GetObject",
            "s3:GetEncryptionConfiguration",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
        ],
        "*",
    ),
];

/// `AmazonSSMManagedInstanceCore`, version v2 (default since 2019).
const SSM_MANAGED_INSTANCE_CORE: &[Grant] = &[
    (SSM_CORE, "*"),
    (&["ssm:GetParameter"], "*"),
    (SSMMESSAGES, "*"),
    (EC2MESSAGES, "*"),
];

/// The statements of an AWS managed policy, by ARN (any partition).
pub fn policy(arn: &str) -> Option<&'static [Grant]> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, path) = rest.split_once(":iam::aws:policy/")?;
    Some(match path {
        "service-role/AmazonEC2RoleforSSM" => EC2_ROLE_FOR_SSM,
        "AmazonSSMManagedInstanceCore" => SSM_MANAGED_INSTANCE_CORE,
        _ => return None,
    })
}

/// Every action of a service, by its prefix (`ssmmessages`), where the
/// list is known.
pub fn service_actions(prefix: &str) -> Option<&'static [&'static str]> {
    match prefix.to_ascii_lowercase().as_str() {
        "ssmmessages" => Some(SSMMESSAGES),
        "ec2messages" => Some(EC2MESSAGES),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_policies_by_arn_in_any_partition() {
        let p = policy("arn:aws-cn:iam::aws:policy/service-role/AmazonEC2RoleforSSM").unwrap();
        assert!(p
            .iter()
            .any(|(a, _)| a.contains(&"ssm:UpdateInstanceInformation")));
        assert!(policy("arn:aws:iam::aws:policy/AdministratorAccess").is_none());
        assert!(policy("arn:aws:iam::123456789012:policy/AmazonSSMManagedInstanceCore").is_none());
        assert_eq!(service_actions("EC2Messages").map(<[_]>::len), Some(6));
        assert!(service_actions("s3").is_none());
    }
}
