//! The storage constructs (`s3::Bucket`, `kms::Key`, `logs::LogGroup`,
//! `ecr::Repository`) and their grants, against the synthesized template.
//!
//! Every default is compared with aws-cdk-lib's documented default for the
//! same construct; those are quoted from the aws-cdk repository sources
//! (`packages/aws-cdk-lib/aws-s3/lib/bucket.ts` `BucketProps`,
//! `aws-kms/lib/key.ts` `KeyProps`, `aws-logs/lib/log-group.ts`
//! `LogGroupProps`, `aws-ecr/lib/repository.ts` `RepositoryProps`), and the
//! grant action lists from `aws-s3/lib/perms.ts`, `aws-s3/lib/bucket-grants.ts`,
//! `aws-kms/lib/private/perms.ts`, `aws-kms/lib/key-grants.ts`,
//! `aws-ecr/lib/perms.ts` and `aws-ecr/lib/repository.ts`.

mod support;

use serde_json::{json, Value as Json};
use synth::ecr::{self, Repository, ScanOnPush, TagMutability};
use synth::iam::{Principal, Role};
use synth::kms::{Key, Rotation};
use synth::logs::{self, LogGroup, Retention};
use synth::prelude::*;
use synth::s3::{Bucket, Encryption, LifecycleRule, Versioning};

fn template(assembly: &synth::Assembly, stack: &str) -> Json {
    assembly.template(stack).expect("the stack exists").clone()
}

fn app_role(stack: &mut Stack) -> Role {
    stack.add(
        "App",
        Role::assumed_by(Principal::service("ec2.amazonaws.com")),
    )
}

fn get_att(id: &str) -> Json {
    json!({ "Fn::GetAtt": [id, "Arn"] })
}

fn objects_of(id: &str) -> Json {
    json!({ "Fn::Sub": ["${Arn}/*", { "Arn": get_att(id) }] })
}

/// The statements of the `AWS::IAM::Policy` at `id`, checking that it is
/// attached to the role `App` and nothing else.
fn statements(t: &Json, id: &str) -> Json {
    let policy = &t["Resources"][id];
    assert_eq!(policy["Type"], "AWS::IAM::Policy", "{t:#}");
    assert_eq!(policy["Properties"]["Roles"], json!([{ "Ref": "App" }]));
    assert!(policy["Properties"].get("Users").is_none());
    policy["Properties"]["PolicyDocument"]["Statement"].clone()
}

fn synth_error(app: &App) -> String {
    match app.synth() {
        Ok(_) => panic!("synthesis should fail"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- s3

#[test]
fn bucket_defaults_are_at_least_the_cdks() {
    let mut app = App::new();
    let s = app.stack("Store");
    s.add("Data", Bucket::builder());
    let t = template(&support::synth(&app), "Store");
    let bucket = &t["Resources"]["Data"];
    assert_eq!(bucket["Type"], "AWS::S3::Bucket");
    let props = &bucket["Properties"];

    // aws-cdk-lib s3.Bucket: `encryption` defaults to "`KMS` if
    // `encryptionKey` is specified, or `S3_MANAGED` otherwise".
    assert_eq!(
        props["BucketEncryption"],
        json!({ "ServerSideEncryptionConfiguration": [
            { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }
        ]})
    );
    // aws-cdk-lib s3.Bucket: `blockPublicAccess` defaults to "CloudFormation
    // defaults will apply" (no PublicAccessBlockConfiguration; S3 blocks
    // public access on new buckets). Here all four blocks are in the
    // template, so a later account or console change cannot undo them.
    assert_eq!(
        props["PublicAccessBlockConfiguration"],
        json!({
            "BlockPublicAcls": true,
            "BlockPublicPolicy": true,
            "IgnorePublicAcls": true,
            "RestrictPublicBuckets": true,
        })
    );
    // aws-cdk-lib s3.Bucket: `objectOwnership` defaults to "No
    // ObjectOwnership configuration. By default, Amazon S3 sets Object
    // Ownership to `Bucket owner enforced`". Here it is explicit.
    assert_eq!(
        props["OwnershipControls"],
        json!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] })
    );
    // aws-cdk-lib s3.Bucket: `versioned` defaults to false (as here).
    assert!(props.get("VersioningConfiguration").is_none(), "{props:#}");
    // aws-cdk-lib s3.Bucket: `lifecycleRules` default "No lifecycle rules".
    assert!(props.get("LifecycleConfiguration").is_none());
    // aws-cdk-lib s3.Bucket: `bucketName` "Assigned by CloudFormation".
    assert!(props.get("BucketName").is_none());
    // aws-cdk-lib s3.Bucket: `removalPolicy` defaults to "The bucket will
    // be orphaned" (RemovalPolicy.RETAIN).
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    assert_eq!(bucket["UpdateReplacePolicy"], "Retain");

    // aws-cdk-lib s3.Bucket: `enforceSSL` defaults to false; here it is
    // always on, with the CDK's own statement (bucket.ts
    // `enforceSSLStatement`): deny s3:* to any principal on the bucket and
    // bucket/* when aws:SecureTransport is false.
    let policy = &t["Resources"]["DataPolicy"];
    assert_eq!(policy["Type"], "AWS::S3::BucketPolicy");
    assert_eq!(policy["Properties"]["Bucket"], json!({ "Ref": "Data" }));
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([{
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [get_att("Data"), objects_of("Data")],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } },
        }])
    );
    assert_eq!(t["Resources"].as_object().unwrap().len(), 2, "{t:#}");
}

#[test]
fn bucket_with_a_kms_key_turns_the_bucket_key_on() {
    let mut app = App::new();
    let s = app.stack("Store");
    let key = s.add("Key", Key::builder());
    s.add("Data", Bucket::builder().encryption(Encryption::kms(&key)));
    s.add(
        "Archive",
        Bucket::builder().encryption(Encryption::kms_arn(
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        )),
    );
    let t = template(&support::synth(&app), "Store");
    // aws-cdk-lib s3.Bucket: `bucketKeyEnabled` defaults to false; with a
    // KMS key it is always on here (fewer KMS requests, lower cost).
    assert_eq!(
        t["Resources"]["Data"]["Properties"]["BucketEncryption"],
        json!({ "ServerSideEncryptionConfiguration": [{
            "BucketKeyEnabled": true,
            "ServerSideEncryptionByDefault": {
                "KMSMasterKeyID": get_att("Key"),
                "SSEAlgorithm": "aws:kms",
            },
        }]})
    );
    assert_eq!(
        t["Resources"]["Archive"]["Properties"]["BucketEncryption"]
            ["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["KMSMasterKeyID"],
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
}

#[test]
fn bucket_versioning_lifecycle_name_and_removal_are_typed_settings() {
    let mut app = App::new();
    let s = app.stack("Store");
    let bucket = s.add(
        "Data",
        Bucket::builder()
            .name("synth-storage-test-data")
            .versioning(Versioning::Enabled)
            .lifecycle_rule(
                LifecycleRule::new("logs")
                    .prefix("logs/")
                    .expire_after_days(90),
            )
            .lifecycle_rule(
                LifecycleRule::new("versions")
                    .expire_noncurrent_after_days(30)
                    .abort_incomplete_uploads_after_days(7),
            )
            .removal_policy(RemovalPolicy::Delete),
    );
    s.output("BucketName", bucket.name());
    let t = template(&support::synth(&app), "Store");
    let r = &t["Resources"]["Data"];
    assert_eq!(r["Properties"]["BucketName"], "synth-storage-test-data");
    assert_eq!(
        r["Properties"]["VersioningConfiguration"],
        json!({ "Status": "Enabled" })
    );
    assert_eq!(
        r["Properties"]["LifecycleConfiguration"],
        json!({ "Rules": [
            { "Id": "logs", "Status": "Enabled", "Prefix": "logs/", "ExpirationInDays": 90 },
            {
                "Id": "versions",
                "Status": "Enabled",
                "NoncurrentVersionExpiration": { "NoncurrentDays": 30 },
                "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 },
            },
        ]})
    );
    assert_eq!(r["DeletionPolicy"], "Delete");
    assert_eq!(r["UpdateReplacePolicy"], "Delete");
    assert_eq!(
        t["Outputs"]["BucketName"]["Value"],
        json!({ "Ref": "Data" })
    );
}

#[test]
fn bucket_grants_are_the_cdks_actions_on_the_bucket_and_its_objects() {
    let mut app = App::new();
    let s = app.stack("Store");
    let role = app_role(s);
    let bucket = s.add("Data", Bucket::builder());
    s.add("Read", bucket.grant_read(&role));
    s.add("Write", bucket.grant_write(&role));
    s.add("ReadWrite", bucket.grant_read_write(&role));
    let t = template(&support::synth(&app), "Store");
    let on_bucket = json!([get_att("Data"), objects_of("Data")]);
    // perms.ts BUCKET_READ_ACTIONS.
    let read = json!(["s3:GetObject*", "s3:GetBucket*", "s3:List*"]);
    // BucketGrants.write: BUCKET_DELETE_ACTIONS then BUCKET_PUT_ACTIONS
    // (with @aws-cdk/aws-s3:grantWriteWithoutAcl, on in new projects).
    let write = json!([
        "s3:DeleteObject*",
        "s3:PutObject",
        "s3:PutObjectLegalHold",
        "s3:PutObjectRetention",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
        "s3:Abort*",
    ]);
    assert_eq!(
        statements(&t, "Read"),
        json!([{ "Effect": "Allow", "Action": read, "Resource": on_bucket }])
    );
    assert_eq!(
        statements(&t, "Write"),
        json!([{ "Effect": "Allow", "Action": write, "Resource": on_bucket }])
    );
    // BucketGrants.readWrite: BUCKET_READ_ACTIONS.concat(writeActions).
    let mut read_write = read.as_array().unwrap().clone();
    read_write.extend(write.as_array().unwrap().iter().cloned());
    assert_eq!(
        statements(&t, "ReadWrite"),
        json!([{ "Effect": "Allow", "Action": read_write, "Resource": on_bucket }])
    );
}

#[test]
fn bucket_grants_on_a_kms_bucket_add_the_cdks_key_actions() {
    let mut app = App::new();
    let s = app.stack("Store");
    let role = app_role(s);
    let key = s.add("Key", Key::builder());
    let bucket = s.add("Data", Bucket::builder().encryption(Encryption::kms(&key)));
    s.add("Read", bucket.grant_read(&role));
    s.add("Write", bucket.grant_write(&role));
    s.add("ReadWrite", bucket.grant_read_write(&role));
    let t = template(&support::synth(&app), "Store");
    let key_statement =
        |actions: Json| json!({ "Effect": "Allow", "Action": actions, "Resource": get_att("Key") });
    // perms.ts KEY_READ_ACTIONS.
    assert_eq!(
        statements(&t, "Read")[1],
        key_statement(json!(["kms:Decrypt", "kms:DescribeKey"]))
    );
    // perms.ts KEY_WRITE_ACTIONS.
    assert_eq!(
        statements(&t, "Write")[1],
        key_statement(json!([
            "kms:Encrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Decrypt"
        ]))
    );
    // BucketGrants.readWrite: the set of KEY_READ_ACTIONS then
    // KEY_WRITE_ACTIONS.
    assert_eq!(
        statements(&t, "ReadWrite")[1],
        key_statement(json!([
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*"
        ]))
    );
    assert_eq!(statements(&t, "ReadWrite").as_array().unwrap().len(), 2);
}

#[test]
fn an_imported_bucket_and_key_are_granted_by_name_and_arn() {
    let key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut app = App::new();
    let s = app.stack("Store");
    let role = app_role(s);
    let plain = Bucket::from_name("shared-reports");
    let sealed = Bucket::from_name("sealed-reports").encrypted_with(key_arn);
    s.add("ReadShared", plain.grant_read(&role));
    s.add("WriteSealed", sealed.grant_write(&role));
    let t = template(&support::synth(&app), "Store");
    let read = statements(&t, "ReadShared");
    assert_eq!(
        read[0]["Resource"],
        json!([
            { "Fn::Sub": "arn:${AWS::Partition}:s3:::shared-reports" },
            { "Fn::Sub": "arn:${AWS::Partition}:s3:::shared-reports/*" },
        ])
    );
    assert_eq!(
        read.as_array().unwrap().len(),
        1,
        "no key, no key statement"
    );
    let write = statements(&t, "WriteSealed");
    assert_eq!(
        write[0]["Resource"],
        json!([
            { "Fn::Sub": "arn:${AWS::Partition}:s3:::sealed-reports" },
            { "Fn::Sub": "arn:${AWS::Partition}:s3:::sealed-reports/*" },
        ])
    );
    assert_eq!(write[1]["Resource"], key_arn);
    // Imports have no place in the tree: only the role and two policies.
    assert_eq!(t["Resources"].as_object().unwrap().len(), 3);
}

#[test]
fn bucket_misconfigurations_are_errors_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Store");
    s.add(
        "Data",
        Bucket::builder()
            .name("Not_A_Bucket")
            .lifecycle_rule(LifecycleRule::new("now").expire_after_days(0))
            .lifecycle_rule(LifecycleRule::new("idle")),
    );
    let err = synth_error(&app);
    assert!(
        err.contains(
            "Store/Data: lifecycle rule now: expiry after 0 days; S3 needs at least 1 day"
        ),
        "{err}"
    );
    assert!(
        err.contains("Store/Data: lifecycle rule idle has no action"),
        "{err}"
    );
    assert!(
        err.contains("Store/Data: bucket name \"Not_A_Bucket\" is invalid"),
        "{err}"
    );
}

// ---------------------------------------------------------------- kms

#[test]
fn key_defaults_rotate_and_keep_the_account_in_control() {
    let mut app = App::new();
    let s = app.stack("Keys");
    let key = s.add("Key", Key::builder());
    s.output("KeyArn", key.arn());
    let t = template(&support::synth(&app), "Keys");
    let r = &t["Resources"]["Key"];
    assert_eq!(r["Type"], "AWS::KMS::Key");
    // aws-cdk-lib kms.Key: `enableKeyRotation` "@default false". Rotation is
    // on here: we go beyond the CDK's default.
    assert_eq!(r["Properties"]["EnableKeyRotation"], true);
    assert!(r["Properties"].get("RotationPeriodInDays").is_none());
    // aws-cdk-lib kms.Key: with @aws-cdk/aws-kms:defaultKeyPolicies (the
    // default for new projects) the default policy is one statement giving
    // the AccountRootPrincipal kms:* on * (key.ts addDefaultAdminPolicy).
    assert_eq!(
        r["Properties"]["KeyPolicy"],
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "AWS": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" } },
                "Action": "kms:*",
                "Resource": "*",
            }],
        })
    );
    // aws-cdk-lib kms.Key: `pendingWindow` "@default - 30 days" (KMS's own
    // default when the property is absent, as here).
    assert!(r["Properties"].get("PendingWindowInDays").is_none());
    // aws-cdk-lib kms.Key: `alias` "No alias is added for the key".
    assert_eq!(t["Resources"].as_object().unwrap().len(), 1);
    // aws-cdk-lib kms.Key: `removalPolicy` "@default RemovalPolicy.Retain".
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(t["Outputs"]["KeyArn"]["Value"], get_att("Key"));
}

#[test]
fn key_alias_rotation_period_pending_window_and_removal() {
    let mut app = App::new();
    let s = app.stack("Keys");
    let key = s.add(
        "Key",
        Key::builder()
            .alias("alias/team/data")
            .description("team data")
            .rotation(Rotation::EveryDays(180))
            .pending_window_days(7)
            .removal_policy(RemovalPolicy::Delete),
    );
    assert_eq!(key.alias(), Some("alias/team/data"));
    s.add("Unrotated", Key::builder().rotation(Rotation::Disabled));
    let t = template(&support::synth(&app), "Keys");
    let p = &t["Resources"]["Key"]["Properties"];
    assert_eq!(p["EnableKeyRotation"], true);
    assert_eq!(p["RotationPeriodInDays"], 180);
    assert_eq!(p["PendingWindowInDays"], 7);
    assert_eq!(p["Description"], "team data");
    assert_eq!(t["Resources"]["Key"]["DeletionPolicy"], "Delete");
    assert_eq!(
        t["Resources"]["KeyAlias"],
        json!({
            "Type": "AWS::KMS::Alias",
            "Properties": { "AliasName": "alias/team/data", "TargetKeyId": { "Ref": "Key" } },
        })
    );
    assert_eq!(
        t["Resources"]["Unrotated"]["Properties"]["EnableKeyRotation"],
        false
    );
}

#[test]
fn key_grants_are_the_cdks_actions_on_the_key() {
    let mut app = App::new();
    let s = app.stack("Keys");
    let role = app_role(s);
    let key = s.add("Key", Key::builder());
    let imported = Key::from_arn(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    s.add("Encrypt", key.grant_encrypt(&role));
    s.add("Decrypt", key.grant_decrypt(&role));
    s.add("Both", key.grant_encrypt_decrypt(&role));
    s.add("ImportedDecrypt", imported.grant_decrypt(&role));
    let t = template(&support::synth(&app), "Keys");
    let on_key = |actions: Json| json!([{ "Effect": "Allow", "Action": actions, "Resource": get_att("Key") }]);
    // kms perms.ts ENCRYPT_ACTIONS.
    assert_eq!(
        statements(&t, "Encrypt"),
        on_key(json!([
            "kms:Encrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*"
        ]))
    );
    // kms perms.ts DECRYPT_ACTIONS (one action: a string, not a list).
    assert_eq!(statements(&t, "Decrypt"), on_key(json!("kms:Decrypt")));
    // KeyGrants.encryptDecrypt: DECRYPT_ACTIONS then ENCRYPT_ACTIONS.
    assert_eq!(
        statements(&t, "Both"),
        on_key(json!([
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*"
        ]))
    );
    assert_eq!(
        statements(&t, "ImportedDecrypt"),
        json!([{
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        }])
    );
}

#[test]
fn key_misconfigurations_are_errors_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Keys");
    s.add("Plain", Key::builder().alias("data"));
    s.add("Reserved", Key::builder().alias("alias/aws/s3"));
    s.add(
        "Window",
        Key::builder()
            .pending_window_days(5)
            .rotation(Rotation::EveryDays(30)),
    );
    let err = synth_error(&app);
    assert!(
        err.contains("Keys/Plain: alias \"data\" must start with alias/"),
        "{err}"
    );
    assert!(
        err.contains("Keys/Reserved: alias \"alias/aws/s3\" is under alias/aws/"),
        "{err}"
    );
    assert!(
        err.contains("Keys/Window: pending window of 5 days is outside the 7-30 days KMS allows"),
        "{err}"
    );
    assert!(
        err.contains("Keys/Window: rotation every 30 days is outside the 90-2560 days"),
        "{err}"
    );
}

// ---------------------------------------------------------------- logs

#[test]
fn log_group_defaults_are_the_cdks() {
    let mut app = App::new();
    let s = app.stack("Logs");
    let group = s.add("App", LogGroup::builder());
    s.output("Name", group.name());
    let t = template(&support::synth(&app), "Logs");
    let r = &t["Resources"]["App"];
    assert_eq!(r["Type"], "AWS::Logs::LogGroup");
    // aws-cdk-lib logs.LogGroup: `retention` "@default
    // RetentionDays.TWO_YEARS" (731 days).
    assert_eq!(r["Properties"]["RetentionInDays"], 731);
    // aws-cdk-lib logs.LogGroup: `encryptionKey` "@default Server-side
    // encryption managed by the CloudWatch Logs service".
    assert!(r["Properties"].get("KmsKeyId").is_none());
    // aws-cdk-lib logs.LogGroup: `logGroupName` "@default Automatically
    // generated".
    assert!(r["Properties"].get("LogGroupName").is_none());
    // aws-cdk-lib logs.LogGroup: `removalPolicy` "@default
    // RemovalPolicy.Retain".
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(t["Outputs"]["Name"]["Value"], json!({ "Ref": "App" }));
}

#[test]
fn log_group_retention_covers_every_value_cloudwatch_accepts() {
    let all = [
        (Retention::OneDay, 1),
        (Retention::ThreeDays, 3),
        (Retention::FiveDays, 5),
        (Retention::OneWeek, 7),
        (Retention::TwoWeeks, 14),
        (Retention::OneMonth, 30),
        (Retention::TwoMonths, 60),
        (Retention::ThreeMonths, 90),
        (Retention::FourMonths, 120),
        (Retention::FiveMonths, 150),
        (Retention::SixMonths, 180),
        (Retention::OneYear, 365),
        (Retention::ThirteenMonths, 400),
        (Retention::EighteenMonths, 545),
        (Retention::TwoYears, 731),
        (Retention::ThreeYears, 1096),
        (Retention::FiveYears, 1827),
        (Retention::SixYears, 2192),
        (Retention::SevenYears, 2557),
        (Retention::EightYears, 2922),
        (Retention::NineYears, 3288),
        (Retention::TenYears, 3653),
    ];
    let days: Vec<u32> = all.iter().map(|(_, d)| *d).collect();
    assert_eq!(days, logs::RETENTION_DAYS.to_vec());
    for (retention, d) in all {
        assert_eq!(retention.days(), Some(d));
    }
    assert_eq!(Retention::Infinite.days(), None);

    let mut app = App::new();
    let s = app.stack("Logs");
    s.add(
        "Forever",
        LogGroup::builder()
            .name("/synth/forever")
            .retention(Retention::Infinite)
            .encryption(logs::Encryption::kms_arn(
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ))
            .removal_policy(RemovalPolicy::Delete),
    );
    s.add("Week", LogGroup::builder().retention(Retention::Days(7)));
    let t = template(&support::synth(&app), "Logs");
    let p = &t["Resources"]["Forever"]["Properties"];
    assert!(p.get("RetentionInDays").is_none());
    assert_eq!(p["LogGroupName"], "/synth/forever");
    assert_eq!(
        p["KmsKeyId"],
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(t["Resources"]["Forever"]["DeletionPolicy"], "Delete");
    assert_eq!(t["Resources"]["Week"]["Properties"]["RetentionInDays"], 7);
}

#[test]
fn log_group_grant_write_covers_the_group_and_its_streams() {
    let mut app = App::new();
    let s = app.stack("Logs");
    let role = app_role(s);
    let group = s.add("Group", LogGroup::builder());
    s.add("Write", group.grant_write(&role));
    s.add(
        "WriteShared",
        LogGroup::from_name("/shared/app").grant_write(&role),
    );
    let t = template(&support::synth(&app), "Logs");
    // logs.LogGroup.grantWrite: logs:CreateLogStream, logs:PutLogEvents
    // (the CDK puts them on the group's Arn attribute, `...:log-group:<name>:*`;
    // here on the group and its streams by name, the same reach).
    let group_arn = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}";
    let streams_arn = format!("{group_arn}:log-stream:*");
    assert_eq!(
        statements(&t, "Write"),
        json!([{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                { "Fn::Sub": [group_arn, { "Name": { "Ref": "Group" } }] },
                { "Fn::Sub": [streams_arn, { "Name": { "Ref": "Group" } }] },
            ],
        }])
    );
    assert_eq!(
        statements(&t, "WriteShared")[0]["Resource"],
        json!([
            { "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/shared/app" },
            { "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/shared/app:log-stream:*" },
        ])
    );
}

#[test]
fn a_retention_cloudwatch_refuses_is_an_error_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Logs");
    s.add("App", LogGroup::builder().retention(Retention::Days(2)));
    s.add("Bad", LogGroup::builder().name("no spaces allowed"));
    let err = synth_error(&app);
    assert!(
        err.contains("Logs/App: retention of 2 days is not one CloudWatch Logs accepts"),
        "{err}"
    );
    assert!(
        err.contains("Logs/Bad: log group name \"no spaces allowed\" is invalid"),
        "{err}"
    );
}

// ---------------------------------------------------------------- ecr

#[test]
fn repository_defaults_are_at_least_the_cdks() {
    let mut app = App::new();
    let s = app.stack("Images");
    let repo = s.add("Web", Repository::builder());
    s.output("Uri", repo.uri());
    let t = template(&support::synth(&app), "Images");
    let r = &t["Resources"]["Web"];
    assert_eq!(r["Type"], "AWS::ECR::Repository");
    let p = &r["Properties"];
    // aws-cdk-lib ecr.Repository: `imageScanOnPush` "@default false"; on
    // here, beyond the CDK's default.
    assert_eq!(
        p["ImageScanningConfiguration"],
        json!({ "ScanOnPush": true })
    );
    // aws-cdk-lib ecr.Repository: `imageTagMutability` "@default
    // TagMutability.MUTABLE".
    assert_eq!(p["ImageTagMutability"], "MUTABLE");
    // aws-cdk-lib ecr.Repository: `encryption` "`KMS` if `encryptionKey`
    // is specified, or `AES256` otherwise".
    assert_eq!(
        p["EncryptionConfiguration"],
        json!({ "EncryptionType": "AES256" })
    );
    // aws-cdk-lib ecr.Repository: `lifecycleRules` default none.
    assert!(p.get("LifecyclePolicy").is_none());
    assert!(p.get("RepositoryName").is_none());
    // aws-cdk-lib ecr.Repository: `removalPolicy` "@default
    // RemovalPolicy.Retain".
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        t["Outputs"]["Uri"]["Value"],
        json!({ "Fn::GetAtt": ["Web", "RepositoryUri"] })
    );
}

#[test]
fn repository_lifecycle_rules_put_keep_last_after_the_others() {
    let mut app = App::new();
    let s = app.stack("Images");
    s.add(
        "Web",
        Repository::builder()
            .name("team/web")
            .tag_mutability(TagMutability::Immutable)
            .scan_on_push(ScanOnPush::Disabled)
            .encryption(ecr::Encryption::kms_arn(
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ))
            .lifecycle_rule(ecr::LifecycleRule::KeepLast(20))
            .lifecycle_rule(ecr::LifecycleRule::ExpireUntaggedAfterDays(14))
            .removal_policy(RemovalPolicy::Delete),
    );
    let t = template(&support::synth(&app), "Images");
    let r = &t["Resources"]["Web"];
    let p = &r["Properties"];
    assert_eq!(p["RepositoryName"], "team/web");
    assert_eq!(p["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(p["ImageScanningConfiguration"]["ScanOnPush"], false);
    assert_eq!(
        p["EncryptionConfiguration"],
        json!({
            "EncryptionType": "KMS",
            "KmsKey": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        })
    );
    assert_eq!(r["DeletionPolicy"], "Delete");
    let text = p["LifecyclePolicy"]["LifecyclePolicyText"]
        .as_str()
        .unwrap();
    let policy: Json = serde_json::from_str(text).unwrap();
    assert_eq!(
        policy,
        json!({ "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 14 days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": { "type": "expire" },
            },
            {
                "rulePriority": 2,
                "description": "Keep the last 20 images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 20,
                },
                "action": { "type": "expire" },
            },
        ]})
    );
}

#[test]
fn repository_grants_are_the_cdks_actions_and_the_auth_token() {
    let mut app = App::new();
    let s = app.stack("Images");
    let role = app_role(s);
    let repo = s.add("Web", Repository::builder());
    s.add("Pull", repo.grant_pull(&role));
    s.add("Push", repo.grant_push(&role));
    s.add(
        "PullBase",
        Repository::from_name("base/debian").grant_pull(&role),
    );
    let t = template(&support::synth(&app), "Images");
    // ecr.Repository.grantPull/grantPush: GetAuthorizationToken on "*".
    let token =
        json!({ "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*" });
    // ecr perms.ts REPO_PULL_ACTIONS.
    let pull = json!([
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage"
    ]);
    assert_eq!(
        statements(&t, "Pull"),
        json!([{ "Effect": "Allow", "Action": pull, "Resource": get_att("Web") }, token])
    );
    // ecr perms.ts REPO_PUSH_ACTIONS.
    assert_eq!(
        statements(&t, "Push"),
        json!([
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:CompleteLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:InitiateLayerUpload",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:PutImage"
                ],
                "Resource": get_att("Web"),
            },
            token,
        ])
    );
    assert_eq!(
        statements(&t, "PullBase"),
        json!([
            {
                "Effect": "Allow",
                "Action": pull,
                "Resource": { "Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/base/debian" },
            },
            token,
        ])
    );
}

#[test]
fn repository_misconfigurations_are_errors_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Images");
    s.add(
        "Web",
        Repository::builder()
            .name("Team/Web")
            .lifecycle_rule(ecr::LifecycleRule::KeepLast(0))
            .lifecycle_rule(ecr::LifecycleRule::KeepLast(5))
            .lifecycle_rule(ecr::LifecycleRule::ExpireUntaggedAfterDays(0)),
    );
    let err = synth_error(&app);
    for expected in [
        "Images/Web: repository name \"Team/Web\" is invalid",
        "Images/Web: 2 KeepLast lifecycle rules; ECR allows one",
        "Images/Web: lifecycle rule KeepLast(0) would expire every image",
        "Images/Web: lifecycle rule ExpireUntaggedAfterDays(0): ECR needs at least 1 day",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
}

// ---------------------------------------------------------------- model

#[test]
fn built_storage_constructs_are_opened_again_with_edit() {
    let mut app = App::new();
    let s = app.stack("Store");
    let bucket = s.add("Data", Bucket::builder());
    let key = s.add("Key", Key::builder());
    let group = s.add("Logs", LogGroup::builder());
    let repo = s.add("Repo", Repository::builder());
    s.edit(&bucket).tag("team", "data");
    s.edit(&key).logical_id("DataKey");
    s.edit(&group).removal_policy(RemovalPolicy::Delete);
    s.edit(&repo)
        .override_property("ImageTagMutability", "IMMUTABLE");
    let t = template(&support::synth(&app), "Store");
    assert_eq!(
        t["Resources"]["Data"]["Properties"]["Tags"],
        json!([{ "Key": "team", "Value": "data" }])
    );
    assert!(t["Resources"]["DataKey"].is_object(), "{t:#}");
    assert_eq!(t["Resources"]["Logs"]["DeletionPolicy"], "Delete");
    assert_eq!(
        t["Resources"]["Repo"]["Properties"]["ImageTagMutability"],
        "IMMUTABLE"
    );
}

#[test]
fn editing_an_imported_bucket_is_an_error() {
    let mut app = App::new();
    let s = app.stack("Store");
    s.edit(&Bucket::from_name("shared-reports"))
        .tag("team", "data");
    let err = synth_error(&app);
    assert!(
        err.contains(
            "Store: this construct was imported by ID: it has no resources in this app to edit"
        ),
        "{err}"
    );
}

/// The module examples, run with the features they need.
#[test]
fn module_doc_examples() {
    // s3 + kms
    let mut app = App::new();
    let stack = app.stack("Data");
    let key = stack.add("Key", Key::builder().alias("alias/reports"));
    let bucket = stack.add(
        "Reports",
        Bucket::builder()
            .encryption(Encryption::kms(&key))
            .versioning(Versioning::Enabled)
            .lifecycle_rule(
                LifecycleRule::new("expire-old")
                    .expire_after_days(365)
                    .expire_noncurrent_after_days(30),
            ),
    );
    let role = app_role(stack);
    stack.add("AppReadsReports", bucket.grant_read(&role));
    let group = stack.add(
        "AppLogs",
        LogGroup::builder().retention(Retention::OneMonth),
    );
    stack.add("AppWritesLogs", group.grant_write(&role));
    let repo = stack.add(
        "Images",
        Repository::builder().lifecycle_rule(ecr::LifecycleRule::KeepLast(50)),
    );
    stack.add("AppPullsImages", repo.grant_pull(&role));
    let t = template(&support::synth(&app), "Data");
    assert_eq!(t["Resources"].as_object().unwrap().len(), 10, "{t:#}");
}

#[test]
fn a_grant_in_another_stack_imports_the_bucket_and_key_arns() {
    let mut app = App::new();
    let data = app.stack("Data");
    let key = data.add("Key", Key::builder());
    let bucket = data.add(
        "Reports",
        Bucket::builder().encryption(Encryption::kms(&key)),
    );
    let apps = app.stack("Apps");
    let role = app_role(apps);
    apps.add("ReadReports", bucket.grant_read(&role));
    let assembly = support::synth(&app);
    let t = template(&assembly, "Apps");
    let statements = statements(&t, "ReadReports");
    let imported = json!({ "Fn::ImportValue": "Data:Reports:Arn" });
    assert_eq!(
        statements[0]["Resource"],
        json!([imported, { "Fn::Sub": ["${Arn}/*", { "Arn": imported }] }])
    );
    assert_eq!(
        statements[1]["Resource"],
        json!({ "Fn::ImportValue": "Data:Key:Arn" })
    );
    let exports = template(&assembly, "Data")["Outputs"].clone();
    assert!(
        exports.as_object().is_some_and(|o| !o.is_empty()),
        "{exports:#}"
    );
}

#[test]
fn expiring_noncurrent_versions_of_an_unversioned_bucket_is_a_warning() {
    let mut app = App::new();
    let s = app.stack("Store");
    s.add(
        "Data",
        Bucket::builder()
            .lifecycle_rule(LifecycleRule::new("old-versions").expire_noncurrent_after_days(30)),
    );
    let assembly = support::synth(&app);
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains(
            "Store/Data: lifecycle rule old-versions expires noncurrent versions, but the bucket is not versioned"
        )),
        "{warnings:?}"
    );
}

#[test]
fn a_log_group_encrypted_with_a_key_built_here_needs_the_key_to_allow_cloudwatch_logs() {
    // Without the key policy statement CloudWatch Logs refuses to create
    // the group: synthesis says so, naming the group.
    let mut app = App::new();
    let s = app.stack("Logs");
    let key = s.add("Key", Key::builder());
    s.add(
        "App",
        LogGroup::builder().encryption(logs::Encryption::kms(&key)),
    );
    let e = synth_error(&app);
    assert!(
        e.contains("Logs/App") && e.contains("allow_cloudwatch_logs()"),
        "{e}"
    );

    let mut app = App::new();
    let s = app.stack("Logs");
    let key = s.add("Key", Key::builder().allow_cloudwatch_logs());
    s.add(
        "App",
        LogGroup::builder().encryption(logs::Encryption::kms(&key)),
    );
    let t = template(&support::synth(&app), "Logs");
    assert_eq!(
        t["Resources"]["App"]["Properties"]["KmsKeyId"],
        get_att("Key")
    );
    let statements = &t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"];
    // AWS's documented key policy for CloudWatch Logs: the regional service
    // principal, these actions, only for this account's log groups here.
    assert_eq!(
        statements[1],
        json!({
            "Sid": "CloudWatchLogsEncryptsLogGroups",
            "Effect": "Allow",
            "Principal": { "Service": { "Fn::Sub": "logs.${AWS::Region}.amazonaws.com" } },
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*"
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": {
                        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
                    }
                }
            }
        })
    );
}
