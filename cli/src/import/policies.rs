//! `CreationPolicy` and `UpdatePolicy` as synth's typed policy builders:
//! each key with a setter through it, a key (or an inner object) the
//! builders do not model through `.set(key, value)`, written as is.

use serde_json::{Map, Value as Json};

use super::expr::{str_lit, Env, Ty};

const POLICIES: &str = "synth::resource_policies";

/// The setters of an inner object: (CloudFormation key, setter, type).
type Fields = &'static [(&'static str, &'static str, Ty)];

const RESOURCE_SIGNAL: Fields = &[("Count", "count", Ty::Int), ("Timeout", "timeout", Ty::Str)];

const ROLLING_UPDATE: Fields = &[
    ("MaxBatchSize", "max_batch_size", Ty::Int),
    (
        "MinActiveInstancesPercent",
        "min_active_instances_percent",
        Ty::Int,
    ),
    ("MinInstancesInService", "min_instances_in_service", Ty::Int),
    (
        "MinSuccessfulInstancesPercent",
        "min_successful_instances_percent",
        Ty::Int,
    ),
    ("PauseTime", "pause_time", Ty::Str),
    ("SuspendProcesses", "suspend_processes", Ty::ListStr),
    (
        "WaitOnResourceSignals",
        "wait_on_resource_signals",
        Ty::Bool,
    ),
];

/// `CreationPolicy::new()...` for a policy object.
pub fn creation_policy(env: &mut Env, policy: &Map<String, Json>) -> String {
    let mut code = "CreationPolicy::new()".to_owned();
    for (key, v) in policy {
        let typed = match key.as_str() {
            "ResourceSignal" => object(env, v, RESOURCE_SIGNAL, "ResourceSignal::new()")
                .map(|s| format!(".resource_signal({s})")),
            "AutoScalingCreationPolicy" => single(v, "MinSuccessfulInstancesPercent")
                .map(|p| format!(".min_successful_instances_percent({})", env.to(p, &Ty::Int))),
            "StartFleet" => Some(format!(".start_fleet({})", env.to(v, &Ty::Bool))),
            _ => None,
        };
        code.push_str(&typed.unwrap_or_else(|| raw(env, key, v)));
    }
    code
}

/// `UpdatePolicy::new()...` for a policy object.
pub fn update_policy(env: &mut Env, policy: &Map<String, Json>) -> String {
    let mut code = "UpdatePolicy::new()".to_owned();
    for (key, v) in policy {
        let typed = match key.as_str() {
            "AutoScalingRollingUpdate" => object(env, v, ROLLING_UPDATE, "RollingUpdate::new()")
                .map(|u| format!(".auto_scaling_rolling_update({u})")),
            "AutoScalingReplacingUpdate" => single(v, "WillReplace")
                .map(|w| format!(".auto_scaling_replacing_update({})", env.to(w, &Ty::Bool))),
            "AutoScalingScheduledAction" => single(v, "IgnoreUnmodifiedGroupSizeProperties")
                .map(|i| format!(".auto_scaling_scheduled_action({})", env.to(i, &Ty::Bool))),
            "CodeDeployLambdaAliasUpdate" => code_deploy(env, v),
            "EnableVersionUpgrade" | "UseOnlineResharding" => {
                let f = if key == "EnableVersionUpgrade" {
                    "enable_version_upgrade"
                } else {
                    "use_online_resharding"
                };
                Some(format!(".{f}({})", env.to(v, &Ty::Bool)))
            }
            _ => None,
        };
        code.push_str(&typed.unwrap_or_else(|| raw(env, key, v)));
    }
    code
}

fn raw(env: &mut Env, key: &str, v: &Json) -> String {
    format!(".set({}, {})", str_lit(key), env.to(v, &Ty::Value))
}

/// The value of an object whose only key is `key`.
fn single<'j>(v: &'j Json, key: &str) -> Option<&'j Json> {
    let m = v.as_object()?;
    (m.len() == 1).then(|| m.get(key)).flatten()
}

/// A builder over `fields` for an object holding only those keys.
fn object(env: &mut Env, v: &Json, fields: Fields, ctor: &str) -> Option<String> {
    let m = v.as_object()?;
    if !m.keys().all(|k| fields.iter().any(|(f, ..)| f == k)) {
        return None;
    }
    let mut code = format!("{POLICIES}::{ctor}");
    for (key, v) in m {
        let (_, setter, ty) = fields.iter().find(|(f, ..)| f == key)?;
        code.push_str(&format!(".{setter}({})", env.to(v, ty)));
    }
    Some(code)
}

fn code_deploy(env: &mut Env, v: &Json) -> Option<String> {
    let m = v.as_object()?;
    let known = [
        "ApplicationName",
        "DeploymentGroupName",
        "BeforeAllowTrafficHook",
        "AfterAllowTrafficHook",
    ];
    if !m.keys().all(|k| known.contains(&k.as_str())) {
        return None;
    }
    let app = env.to(m.get("ApplicationName")?, &Ty::Str);
    let group = env.to(m.get("DeploymentGroupName")?, &Ty::Str);
    let mut code = format!(".code_deploy_lambda_alias_update({POLICIES}::CodeDeployLambdaAliasUpdate::new({app}, {group})");
    for (key, setter) in [
        ("BeforeAllowTrafficHook", "before_allow_traffic_hook"),
        ("AfterAllowTrafficHook", "after_allow_traffic_hook"),
    ] {
        if let Some(h) = m.get(key) {
            code.push_str(&format!(".{setter}({})", env.to(h, &Ty::Str)));
        }
    }
    code.push(')');
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn squash(s: &str) -> String {
        s.split_whitespace().collect()
    }

    #[test]
    fn known_keys_use_setters_and_others_are_set_by_name() {
        let mut env = Env::default();
        let p = json!({
            "ResourceSignal": {"Count": 2, "Timeout": "PT15M"},
            "AutoScalingCreationPolicy": {"MinSuccessfulInstancesPercent": 100}
        });
        assert_eq!(
            creation_policy(&mut env, p.as_object().unwrap()),
            "CreationPolicy::new().resource_signal(synth::resource_policies::ResourceSignal::new().count(2).timeout(\"PT15M\")).min_successful_instances_percent(100)"
        );
        let p = json!({
            "AutoScalingRollingUpdate": {"MaxBatchSize": 1, "SuspendProcesses": ["HealthCheck"], "WaitOnResourceSignals": true},
            "AutoScalingReplacingUpdate": {"WillReplace": true},
            "AutoScalingInstanceRefresh": {"Strategy": "Rolling"},
            "CodeDeployLambdaAliasUpdate": {"ApplicationName": "a", "DeploymentGroupName": "g", "AfterAllowTrafficHook": "h"}
        });
        let code = update_policy(&mut env, p.as_object().unwrap());
        for part in [
            ".auto_scaling_rolling_update(synth::resource_policies::RollingUpdate::new().max_batch_size(1).suspend_processes([\"HealthCheck\"]).wait_on_resource_signals(true))",
            ".auto_scaling_replacing_update(true)",
            ".set(\"AutoScalingInstanceRefresh\", Value::map().with(\"Strategy\", \"Rolling\"))",
            ".code_deploy_lambda_alias_update(synth::resource_policies::CodeDeployLambdaAliasUpdate::new(\"a\", \"g\").after_allow_traffic_hook(\"h\"))",
        ] {
            assert!(squash(&code).contains(&squash(part)), "{part} in {code}");
        }
        // An inner object with a key the builder lacks is written whole.
        let p = json!({"AutoScalingRollingUpdate": {"MaxBatchSize": 1, "NewKey": 2}});
        assert!(update_policy(&mut env, p.as_object().unwrap())
            .starts_with("UpdatePolicy::new().set(\"AutoScalingRollingUpdate\""));
    }
}
