//! The intrinsic functions and pseudo parameters, typed by what they
//! evaluate to. References come from handles (`role.arn()`,
//! `param.value()`), never from hand-written logical IDs.
//!
//! ```
//! use synth::fns;
//! use synth::value::Val;
//! let arn: Val<String> = fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/gitlab-eks-*");
//! let azs = fns::get_azs();
//! let first: Val<String> = fns::select(0, azs);
//! ```

use indexmap::IndexMap;

use crate::stack::Condition;
use crate::value::{Intrinsic, Pseudo, RefTarget, Val, Value};

fn f<T>(intrinsic: Intrinsic) -> Val<T> {
    Val::from_value(Value::intrinsic(intrinsic))
}

/// The `${Name}` variables of an `Fn::Sub` template, in order, trimmed:
/// `Name`, `Resource.Attribute` or `AWS::Region`. `${!Literal}` escapes
/// are not variables; an unclosed `${` ends the scan.
///
/// ```
/// let names: Vec<&str> = synth::fns::sub_variables("${A}-${!B}-${ C.Arn }").collect();
/// assert_eq!(names, ["A", "C.Arn"]);
/// ```
pub fn sub_variables(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || loop {
        // A `$` is rare in a template: looked for alone (memchr), then
        // checked for the brace.
        let start = rest.find('$')?;
        if rest.as_bytes().get(start + 1) != Some(&b'{') {
            rest = &rest[start + 1..];
            continue;
        }
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = after[..end].trim();
        rest = &after[end + 1..];
        if !name.starts_with('!') {
            return Some(name);
        }
    })
}

/// `Fn::Sub` with only pseudo parameters and `${!Literal}` escapes. Any
/// other `${Name}` is an unresolved reference at synthesis: pass values
/// through [`sub_with`] instead.
pub fn sub(template: impl Into<String>) -> Val<String> {
    f(Intrinsic::Sub(template.into(), IndexMap::new()))
}

/// `Fn::Sub` with a variable map: `${name}` in the template is replaced by
/// the value given for `name`.
pub fn sub_with<K, V>(
    template: impl Into<String>,
    variables: impl IntoIterator<Item = (K, V)>,
) -> Val<String>
where
    K: Into<String>,
    V: Into<Val<String>>,
{
    let vars = variables
        .into_iter()
        .map(|(k, v)| (k.into(), v.into().into_value()))
        .collect();
    f(Intrinsic::Sub(template.into(), vars))
}

/// `Fn::Join`: the list's items joined by `delimiter`.
pub fn join(delimiter: impl Into<String>, list: impl Into<Val<Vec<String>>>) -> Val<String> {
    f(Intrinsic::Join(delimiter.into(), list.into().into_value()))
}

/// Joins strings with no delimiter: `concat([a, "-", b])`.
pub fn concat<V: Into<Val<String>>>(parts: impl IntoIterator<Item = V>) -> Val<String> {
    let parts: Vec<Val<String>> = parts.into_iter().map(Into::into).collect();
    join("", parts)
}

/// `Fn::Select`: the item at `index` of a list.
pub fn select<T>(index: impl Into<Val<i64>>, list: impl Into<Val<Vec<T>>>) -> Val<T> {
    f(Intrinsic::Select(
        index.into().into_value(),
        list.into().into_value(),
    ))
}

/// `Fn::Split`: a string cut at every `delimiter`.
pub fn split(delimiter: impl Into<String>, source: impl Into<Val<String>>) -> Val<Vec<String>> {
    f(Intrinsic::Split(
        delimiter.into(),
        source.into().into_value(),
    ))
}

/// `Fn::GetAZs` of the stack's region.
pub fn get_azs() -> Val<Vec<String>> {
    get_azs_in("")
}

/// `Fn::GetAZs` of a named region (`""` for the stack's).
pub fn get_azs_in(region: impl Into<Val<String>>) -> Val<Vec<String>> {
    f(Intrinsic::GetAzs(region.into().into_value()))
}

/// `Fn::ImportValue` of an export by name. Values of other stacks in the
/// same app need no import: use them directly and synthesis exports them.
pub fn import_value<T>(export_name: impl Into<Val<String>>) -> Val<T> {
    f(Intrinsic::ImportValue(export_name.into().into_value()))
}

/// `Fn::If`: `then` when the condition holds, else `otherwise`.
pub fn if_<T>(
    condition: Condition,
    then: impl Into<Val<T>>,
    otherwise: impl Into<Val<T>>,
) -> Val<T> {
    f(Intrinsic::If(
        condition.id(),
        then.into().into_value(),
        otherwise.into().into_value(),
    ))
}

/// `Fn::Equals`.
pub fn equals(a: impl Into<Value>, b: impl Into<Value>) -> Val<bool> {
    f(Intrinsic::Equals(a.into(), b.into()))
}

/// `Fn::And` of 2 to 10 conditions.
pub fn and(conditions: impl IntoIterator<Item = Val<bool>>) -> Val<bool> {
    f(Intrinsic::And(
        conditions.into_iter().map(Val::into_value).collect(),
    ))
}

/// `Fn::Or` of 2 to 10 conditions.
pub fn or(conditions: impl IntoIterator<Item = Val<bool>>) -> Val<bool> {
    f(Intrinsic::Or(
        conditions.into_iter().map(Val::into_value).collect(),
    ))
}

/// `Fn::Not`.
pub fn not(condition: Val<bool>) -> Val<bool> {
    f(Intrinsic::Not(condition.into_value()))
}

/// `Fn::Base64`.
pub fn base64(text: impl Into<Val<String>>) -> Val<String> {
    f(Intrinsic::Base64(text.into().into_value()))
}

/// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits carved from
/// `ip_block`.
pub fn cidr(
    ip_block: impl Into<Val<String>>,
    count: impl Into<Val<i64>>,
    cidr_bits: impl Into<Val<i64>>,
) -> Val<Vec<String>> {
    f(Intrinsic::Cidr(
        ip_block.into().into_value(),
        count.into().into_value(),
        cidr_bits.into().into_value(),
    ))
}

fn pseudo<T>(p: Pseudo) -> Val<T> {
    f(Intrinsic::Ref(RefTarget::Pseudo(p)))
}

/// The pseudo parameters.
pub mod aws {
    use super::pseudo;
    use crate::value::{Pseudo, Val};

    /// `AWS::AccountId`.
    pub fn account_id() -> Val<String> {
        pseudo(Pseudo::AccountId)
    }
    /// `AWS::NotificationARNs`.
    pub fn notification_arns() -> Val<Vec<String>> {
        pseudo(Pseudo::NotificationArns)
    }
    /// `AWS::NoValue`: removes the property it is assigned to (with `if_`).
    pub fn no_value<T>() -> Val<T> {
        pseudo(Pseudo::NoValue)
    }
    /// `AWS::Partition`: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub fn partition() -> Val<String> {
        pseudo(Pseudo::Partition)
    }
    /// `AWS::Region`.
    pub fn region() -> Val<String> {
        pseudo(Pseudo::Region)
    }
    /// `AWS::StackId`.
    pub fn stack_id() -> Val<String> {
        pseudo(Pseudo::StackId)
    }
    /// `AWS::StackName`.
    pub fn stack_name() -> Val<String> {
        pseudo(Pseudo::StackName)
    }
    /// `AWS::URLSuffix`: `amazonaws.com`, or the partition's own domain.
    pub fn url_suffix() -> Val<String> {
        pseudo(Pseudo::UrlSuffix)
    }
}
