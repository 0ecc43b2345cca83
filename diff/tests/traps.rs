//! One pitfall per test, on small inline templates: equal spellings,
//! intrinsics evaluated over the environment, replacement, IAM coverage,
//! broadening, the wording of data loss, and the rename hint.

use synth_diff::engine::DataFate;
use synth_diff::render::{self, Style};
use synth_diff::template::parse;
use synth_diff::{diff_in, Change, Environment, Replacement, StackDiff};

fn diff_env(old: &str, new: &str, env: &Environment) -> StackDiff {
    let (old, new) = (parse(old).unwrap(), parse(new).unwrap());
    diff_in("Stack", &old, &new, true, synth_diff::create_only, env)
}

fn diff(old: &str, new: &str) -> StackDiff {
    diff_env(old, new, &Environment::new(Some("us-east-1"), None, None))
}

fn only(d: &StackDiff) -> (&str, Change, Replacement) {
    assert_eq!(d.resources.len(), 1, "{d:#?}");
    let r = &d.resources[0];
    (r.logical_id.as_str(), r.change, r.replacement)
}

fn sg(ingress: &str) -> String {
    format!(
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: d\n      SecurityGroupIngress:\n        - {ingress}\n"
    )
}

// Normalization by schema type and CloudFormation's equal spellings.

#[test]
fn number_and_boolean_strings_equal_their_values() {
    let a = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: r\n      Code: {ZipFile: x}\n      Timeout: '300'\n      MemorySize: 128\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n      ObjectLockEnabled: 'true'\n";
    let b = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: r\n      Code: {ZipFile: x}\n      Timeout: 300\n      MemorySize: '128'\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n      ObjectLockEnabled: true\n";
    assert!(diff(a, b).is_empty(), "{:#?}", diff(a, b));
    // A string property keeps string comparison: "300" is not "301".
    assert!(!diff(a, &b.replace("Timeout: 300", "Timeout: 301")).is_empty());
}

#[test]
fn ip_protocol_minus_one_and_ports_as_strings_are_equal() {
    let a = sg("{IpProtocol: -1, CidrIp: 10.0.0.0/8}");
    let b = sg("{IpProtocol: '-1', CidrIp: 10.0.0.0/8}");
    assert!(diff(&a, &b).is_empty());
    let a = sg("{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}");
    let b = sg("{IpProtocol: tcp, FromPort: '443', ToPort: '443', CidrIp: 10.0.0.0/8}");
    assert!(diff(&a, &b).is_empty());
    // Rendered one way: all protocols.
    let d = diff(
        &sg("{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 10.0.0.0/8}"),
        &sg("{IpProtocol: -1, CidrIp: 10.0.0.0/8}"),
    );
    assert!(d
        .security
        .security_group_rules
        .iter()
        .any(|r| r.protocol == "all"));
}

#[test]
fn depends_on_string_list_and_order_are_equal() {
    let t = |deps: &str| {
        format!("Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SNS::Topic\n  C:\n    Type: AWS::SNS::Topic\n    DependsOn: {deps}\n")
    };
    assert!(diff(&t("A"), &t("[A]")).is_empty());
    assert!(diff(&t("[A, B]"), &t("[B, A]")).is_empty());
    assert_eq!(
        only(&diff(&t("[A]"), &t("[A, B]"))),
        ("C", Change::Modify, Replacement::None)
    );
}

#[test]
fn getatt_sub_and_join_spellings_are_equal() {
    let t = |v: &str| {
        format!("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: {v}\n")
    };
    assert!(diff(&t("!GetAtt R.Arn"), &t("{'Fn::GetAtt': [R, Arn]}")).is_empty());
    assert!(diff(&t("!Sub 'literal'"), &t("literal")).is_empty());
    assert!(diff(&t("!Join ['-', [a, b]]"), &t("a-b")).is_empty());
    assert!(diff(&t("!Join ['', ['x-', !Ref R]]"), &t("!Sub 'x-${R}'")).is_empty());
}

// Intrinsics evaluated over the environment.

#[test]
fn partition_and_account_resolve_in_the_environment() {
    let t = |arn: &str| {
        format!("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      ManagedPolicyArns: [{arn}]\n")
    };
    let d = diff(
        &t("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        &t("!Sub 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess'"),
    );
    assert!(d.is_empty(), "{d:#?}");
    assert!(
        d.assumed.iter().any(|a| a.contains("AWS::Partition = aws")),
        "{:?}",
        d.assumed
    );
    // In China the partition differs: the ARN really changes.
    let cn = Environment::new(Some("cn-north-1"), None, None);
    let d = diff_env(
        &t("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        &t("!Sub 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess'"),
        &cn,
    );
    assert!(!d.is_empty());
    assert!(render::terminal(&d, Style { color: false }).contains("Assumed: "));
    let account = Environment::new(Some("us-east-1"), Some("111111111111"), None);
    let t = |v: &str| {
        format!("Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: {v}\n")
    };
    assert!(diff_env(&t("!Ref AWS::AccountId"), &t("'111111111111'"), &account).is_empty());
}

#[test]
fn a_mapping_changed_for_another_region_is_no_change() {
    let t = |other: &str, here: &str| {
        format!("Mappings:\n  Ami:\n    us-east-1: {{Id: {here}}}\n    eu-west-1: {{Id: {other}}}\nResources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: !FindInMap [Ami, !Ref AWS::Region, Id]\n")
    };
    let d = diff(&t("ami-1", "ami-a"), &t("ami-2", "ami-a"));
    assert!(d.resources.is_empty(), "{d:#?}");
    // The entry for the target region changed: ImageId is create-only.
    let d = diff(&t("ami-1", "ami-a"), &t("ami-1", "ami-b"));
    assert_eq!(only(&d), ("I", Change::Modify, Replacement::Will));
}

#[test]
fn conditions_on_the_region_select_the_branch() {
    let t = |a: &str| {
        format!("Conditions:\n  InUs: !Equals [!Ref AWS::Region, us-east-1]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: !If [InUs, 5, {a}]\n  Only:\n    Type: AWS::SNS::Topic\n    Condition: InUs\n")
    };
    // The other branch changed: nothing deployed here changes.
    assert!(diff(&t("10"), &t("20")).resources.is_empty());
    // Elsewhere, it does, and the conditional topic does not exist.
    let eu = Environment::new(Some("eu-west-1"), None, None);
    let d = diff_env(&t("10"), &t("20"), &eu);
    assert_eq!(only(&d), ("Q", Change::Modify, Replacement::None));
}

// Replacement.

#[test]
fn conditionally_create_only_may_replace() {
    let t = |ty: &str| {
        format!("Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      InstanceType: {ty}\n")
    };
    assert_eq!(
        only(&diff(&t("t3.micro"), &t("t3.large"))),
        ("I", Change::Modify, Replacement::May)
    );
}

#[test]
fn create_only_set_or_unset_will_replace() {
    let with =
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: logs\n";
    let without = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
    assert_eq!(
        only(&diff(with, without)),
        ("B", Change::Modify, Replacement::Will)
    );
    assert_eq!(
        only(&diff(without, with)),
        ("B", Change::Modify, Replacement::Will)
    );
}

#[test]
fn literal_zone_and_subnet_changes_will_replace_dynamic_references_may() {
    let t = |az: &str| {
        format!("Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: vpc-1\n      CidrBlock: 10.0.0.0/24\n      AvailabilityZone: {az}\n")
    };
    assert_eq!(
        only(&diff(
            &t("!Select [0, !GetAZs '']"),
            &t("!Select [1, !GetAZs '']")
        ))
        .2,
        Replacement::Will
    );
    assert_eq!(
        only(&diff(&t("us-east-1a"), &t("us-east-1b"))).2,
        Replacement::Will
    );
    assert_eq!(
        only(&diff(&t("us-east-1a"), &t("'{{resolve:ssm:/zone}}'"))).2,
        Replacement::May
    );
}

// IAM coverage.

#[test]
fn statements_inside_fn_if_are_seen_and_marked() {
    let t = |action: &str| {
        format!("Conditions:\n  Prod: !Equals [!Ref Stage, prod]\nParameters:\n  Stage: {{Type: String}}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - !If [Prod, {{Effect: Allow, Action: '{action}', Resource: '*'}}, !Ref AWS::NoValue]\n")
    };
    let d = diff(&t("s3:GetObject"), &t("s3:*"));
    assert!(d.broadening);
    assert!(
        d.security
            .statements
            .iter()
            .all(|s| s.conditional.as_deref() == Some("Prod")),
        "{:#?}",
        d.security.statements
    );
    assert!(!diff(&t("s3:*"), &t("s3:GetObject")).broadening);
}

#[test]
fn resource_policies_name_what_they_apply_to() {
    let t = |principal: &str| {
        format!("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {{Role: r, Code: {{ZipFile: x}}}}\n  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref Fn\n      Principal: '{principal}'\n")
    };
    let d = diff(&t("111111111111"), &t("*"));
    assert!(d.broadening);
    assert!(d.security.statements[0].policy.contains("function !Ref Fn"));
    assert!(!diff(&t("*"), &t("111111111111")).broadening, "narrowed");
    let q = |queue: &str| {
        format!("Resources:\n  A: {{Type: AWS::SQS::Queue}}\n  B: {{Type: AWS::SQS::Queue}}\n  P:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [!Ref {queue}]\n      PolicyDocument: {{Statement: [{{Effect: Allow, Principal: '*', Action: 'sqs:SendMessage', Resource: '*'}}]}}\n")
    };
    let d = diff(&q("A"), &q("B"));
    assert!(d.broadening);
    assert!(d
        .security
        .statements
        .iter()
        .any(|s| s.policy == "queue policy on !Ref B"));
}

#[test]
fn policy_attachment_targets_and_sso_policies_are_iam_changes() {
    let t = |role: &str| {
        format!("Resources:\n  A: {{Type: AWS::IAM::Role, Properties: {{AssumeRolePolicyDocument: {{}}}}}}\n  B: {{Type: AWS::IAM::Role, Properties: {{AssumeRolePolicyDocument: {{}}}}}}\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      Roles: [!Ref {role}]\n      PolicyDocument: {{Statement: [{{Effect: Allow, Action: 's3:*', Resource: '*'}}]}}\n")
    };
    let d = diff(&t("A"), &t("B"));
    assert!(!d.security.managed_policies.is_empty() && d.broadening);
    let s = |arns: &str| {
        format!("Resources:\n  S:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      InstanceArn: arn:aws:sso:::instance/i\n      Name: n\n      ManagedPolicies: {arns}\n")
    };
    let d = diff(
        &s("[]"),
        &s("[arn:aws:iam::aws:policy/AdministratorAccess]"),
    );
    assert!(d.broadening && d.security.managed_policies.len() == 1);
}

#[test]
fn a_permissions_boundary_added_narrows_removed_broadens() {
    let with = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      PermissionsBoundary: arn:aws:iam::111111111111:policy/b\n";
    let without = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n";
    let added = diff(without, with);
    assert!(!added.security.managed_policies.is_empty() && !added.broadening);
    assert!(diff(with, without).broadening);
}

// Broadening.

#[test]
fn cidr_narrowing_is_not_broadening_widening_is() {
    let rule = |cidr: &str| {
        sg(&format!(
            "{{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: '{cidr}'}}"
        ))
    };
    let narrowed = diff(&rule("0.0.0.0/0"), &rule("10.0.0.0/8"));
    assert!(!narrowed.security.security_group_rules.is_empty() && !narrowed.broadening);
    assert!(diff(&rule("10.0.0.0/8"), &rule("0.0.0.0/0")).broadening);
    assert!(
        !diff(&rule("10.0.0.0/8"), &rule("10.1.2.3/8")).broadening,
        "the same network"
    );
}

#[test]
fn every_spelling_of_slash_zero_is_the_world() {
    assert!(synth_diff::security::is_world("0.0.0.0/0"));
    assert!(synth_diff::security::is_world("::/0"));
    assert!(synth_diff::security::is_world("0:0:0:0:0:0:0:0/0"));
    assert!(synth_diff::security::is_world("1.2.3.4/0"));
    assert!(!synth_diff::security::is_world("10.0.0.0/8"));
    let v6 = |cidr: &str| {
        sg(&format!(
            "{{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIpv6: '{cidr}'}}"
        ))
    };
    assert!(!diff(&v6("::/0"), &v6("0::0/0")).broadening);
    assert!(diff(&v6("2001:db8::/32"), &v6("0::0/0")).broadening);
}

#[test]
fn a_statement_moved_onto_a_resource_of_the_stack_is_inside_the_wildcard_it_replaces() {
    let role = |resource: &str| {
        format!("Resources:\n  Logs: {{Type: AWS::Logs::LogGroup}}\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      Policies:\n        - PolicyName: logs\n          PolicyDocument:\n            Statement: [{{Effect: Allow, Action: ['logs:PutLogEvents'], Resource: {resource}}}]\n")
    };
    let (wide, own) = (role("'arn:aws:logs:*:*:*'"), role("!GetAtt Logs.Arn"));
    let narrowed = diff(&wide, &own);
    assert!(!narrowed.security.statements.is_empty() && !narrowed.broadening);
    assert!(diff(&own, &wide).broadening);
    // Another region's log groups do not hold this stack's.
    assert!(diff(&role("'arn:aws:logs:eu-west-1:*:*'"), &own).broadening);
    // A reference whose ARN is not known is inside nothing but `*`.
    let custom = role("!GetAtt Logs.Arn").replace("AWS::Logs::LogGroup", "Custom::Logs");
    assert!(diff(&role("'arn:aws:logs:*:*:*'"), &custom).broadening);
    assert!(!diff(&role("'*'"), &custom).broadening);
}

#[test]
fn a_rule_moved_to_another_resource_of_its_group_is_judged_against_the_group() {
    let t = |id: &str, peer: &str| {
        format!("Resources:\n  Sg: {{Type: AWS::EC2::SecurityGroup, Properties: {{GroupDescription: d}}}}\n  {id}:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {{GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 443, ToPort: 443, {peer}}}\n")
    };
    let world = t("InWorld", "CidrIp: 0.0.0.0/0");
    let cloudfront = t("InCloudFront", "SourcePrefixListId: pl-3b927c52");
    let narrowed = diff(&world, &cloudfront);
    assert_eq!(narrowed.security.security_group_rules.len(), 2);
    assert!(!narrowed.broadening, "the world holds every prefix list");
    assert!(diff(&cloudfront, &world).broadening);
    // A rule of another group does not cover it.
    let other = world.replace("GroupId: !Ref Sg", "GroupId: sg-0123");
    assert!(diff(&other, &cloudfront).broadening);
    // Nor does the group's own rule on other ports.
    let inline = "Resources:\n  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: d, SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]}}\n";
    assert!(diff(inline, &format!("{inline}  InCloudFront:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {{GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 443, ToPort: 443, SourcePrefixListId: pl-1}}\n")).broadening);
}

#[test]
fn a_managed_policy_replaced_by_statements_it_granted_is_not_broadening() {
    let role = |managed: &str, actions: &str| {
        format!("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      ManagedPolicyArns: {managed}\n      Policies:\n        - PolicyName: ssm\n          PolicyDocument:\n            Statement: [{{Effect: Allow, Action: {actions}, Resource: '*'}}]\n")
    };
    let ssm = "['arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM']";
    let old = role(ssm, "['logs:PutLogEvents']");
    // Every action of ec2messages and ssmmessages is in the policy.
    let inline = role(
        "[]",
        "['logs:PutLogEvents', 'ssm:UpdateInstanceInformation', 'ec2messages:*', 'ssmmessages:Open*']",
    );
    let d = diff(&old, &inline);
    assert!(
        !d.security.managed_policies.is_empty() && !d.broadening,
        "{d:#?}"
    );
    // ssm:* holds actions the policy does not grant; so does another service.
    assert!(diff(&old, &role("[]", "['ssm:*']")).broadening);
    assert!(diff(&old, &role("[]", "['ssmmessages:*', 'sqs:SendMessage']")).broadening);
    // Attaching it over statements it contains adds what else it grants.
    assert!(diff(&inline, &old).broadening);
    // A policy whose contents are not known broadens when attached.
    let admin = role(
        "['arn:aws:iam::aws:policy/AdministratorAccess']",
        "['logs:PutLogEvents']",
    );
    assert!(diff(&role("[]", "['logs:PutLogEvents']"), &admin).broadening);
}

#[test]
fn an_added_deny_or_a_policy_of_false_conditions_grants_nothing_new() {
    let t = |statements: &str| {
        format!("Parameters:\n  Public: {{Type: String, Default: 'false'}}\nConditions:\n  IsPublic: !Equals [!Ref Public, 'true']\nResources:\n  B: {{Type: AWS::S3::Bucket}}\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Statement: {statements}\n")
    };
    let bucket = "Resources:\n  B: {Type: AWS::S3::Bucket}\n";
    let public = "!If [IsPublic, {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: !Sub '${B.Arn}/*'}, !Ref AWS::NoValue]";
    let deny = "{Effect: Deny, Principal: '*', Action: 's3:*', Resource: !Sub '${B.Arn}/*', Condition: {Bool: {'aws:SecureTransport': false}}}";
    let d = diff(bucket, &t(&format!("[{deny}, {public}]")));
    assert!(!d.security.statements.is_empty() && !d.broadening, "{d:#?}");
    let d = diff(bucket, &t(&format!("[{public}]")));
    assert_eq!(only(&d).1, Change::Add);
    assert!(d.security.is_empty() && !d.broadening, "{d:#?}");
    let open = t(&format!("[{public}]")).replace("Default: 'false'", "Default: 'true'");
    assert!(diff(bucket, &open).broadening);
}

// Wording of data loss.

#[test]
fn retained_and_snapshotted_data_is_not_called_lost() {
    let t = |policy: &str, name: &str| {
        format!("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    {policy}\n    Properties:\n      BucketName: {name}\n")
    };
    let d = diff(
        &t("UpdateReplacePolicy: Retain", "a"),
        &t("UpdateReplacePolicy: Retain", "b"),
    );
    assert_eq!(d.resources[0].data, Some(DataFate::Retained));
    let text = render::terminal(&d, Style { color: false });
    assert!(
        text.contains("retained") && !text.contains("data is lost"),
        "{text}"
    );
    let d = diff(
        &t("DeletionPolicy: Delete", "a"),
        &t("DeletionPolicy: Delete", "b"),
    );
    assert_eq!(d.resources[0].data, Some(DataFate::Lost));
}

#[test]
fn a_removed_database_with_a_snapshot_policy_says_so() {
    let db = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n    Properties: {DBInstanceClass: db.t3.micro, Engine: postgres}\n";
    let d = diff(db, "Resources: {}\n");
    assert_eq!(d.resources[0].data, Some(DataFate::Snapshot));
    assert!(render::markdown(&[d]).contains("snapshot"));
    let retained = db.replace("Snapshot", "Retain");
    let d = diff(&retained, "Resources: {}\n");
    assert_eq!(d.resources[0].data, Some(DataFate::Retained));
}

// Rename hint.

#[test]
fn an_identical_resource_under_another_id_is_a_likely_rename() {
    let old =
        "Resources:\n  JobsQueue:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: 5}\n";
    let new = old.replace("JobsQueue", "WorkQueue");
    let d = diff(old, &new);
    let added = d
        .resources
        .iter()
        .find(|r| r.change == Change::Add)
        .unwrap();
    assert_eq!(added.renamed_from.as_deref(), Some("JobsQueue"));
    let text = render::terminal(&d, Style { color: false });
    assert!(
        text.contains("stack.edit(&thing).logical_id(\"JobsQueue\")"),
        "{text}"
    );
}

#[test]
fn a_different_resource_under_another_id_is_no_rename() {
    let old =
        "Resources:\n  JobsQueue:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: 5}\n";
    let new =
        "Resources:\n  WorkQueue:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: 6}\n";
    let d = diff(old, new);
    assert!(d
        .resources
        .iter()
        .all(|r| r.renamed_from.is_none() && r.renamed_to.is_none()));
    // References to the old ID count as the same after a rename.
    let old = "Resources:\n  A: {Type: AWS::SQS::Queue}\n  P:\n    Type: AWS::SQS::QueuePolicy\n    Properties: {Queues: [!Ref A], PolicyDocument: {}}\n";
    let new = old.replace("  A:", "  B:").replace("!Ref A", "!Ref B");
    let d = diff(old, &new);
    assert!(
        d.resources
            .iter()
            .any(|r| r.renamed_from.as_deref() == Some("A")),
        "{d:#?}"
    );
}

#[test]
fn the_world_replaced_by_a_security_group_or_prefix_list_is_narrowing() {
    let any = sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}");
    let group = sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: sg-1}");
    let list = sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: pl-1}");
    assert!(!diff(&any, &group).broadening);
    assert!(!diff(&any, &list).broadening);
    assert!(diff(&group, &any).broadening);
}

#[test]
fn create_only_set_to_an_import_will_replace_to_an_empty_parameter_may() {
    let without =
        "Parameters:\n  Name: {Type: String}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n";
    let import = "Parameters:\n  Name: {Type: String}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !ImportValue Name\n";
    let param = "Parameters:\n  Name: {Type: String}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n";
    assert_eq!(only(&diff(without, import)).2, Replacement::Will);
    assert_eq!(only(&diff(without, param)).2, Replacement::May);
}

#[test]
fn the_format_version_written_or_left_out_is_no_change() {
    let with = parse(
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#,
    )
    .unwrap();
    let without = parse(r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#).unwrap();
    let env = Environment::default();
    let create_only = synth_diff::create_only;
    assert!(diff_in("App", &without, &with, true, create_only, &env).is_empty());
    assert!(diff_in("App", &with, &without, true, create_only, &env).is_empty());
}

#[test]
fn an_output_naming_a_replaced_resource_changes_with_it() {
    let old = parse(
        r#"{"Resources": {"Cache": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a"}},
            "Other": {"Type": "AWS::SQS::Queue"}},
           "Outputs": {"CacheBucket": {"Value": {"Ref": "Cache"}},
                       "Queue": {"Value": {"Ref": "Other"}}}}"#,
    )
    .unwrap();
    let mut new = old.clone();
    new["Resources"]["Cache"]["Properties"]["BucketName"] = "b".into();
    let d = diff_in(
        "App",
        &old,
        &new,
        true,
        synth_diff::create_only,
        &Environment::default(),
    );
    let outputs: Vec<(&str, Option<&str>)> = d
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.because.as_deref()))
        .collect();
    assert_eq!(outputs, [("CacheBucket", Some("Cache is replaced"))]);
    let text = render::terminal(&d, Style { color: false });
    assert!(
        text.contains(
            "[~] CacheBucket: {\"Value\":{\"Ref\":\"Cache\"}} gets a new value, because Cache is replaced"
        ),
        "{text}"
    );
}
