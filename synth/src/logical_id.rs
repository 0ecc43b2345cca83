//! Logical IDs derived from construct paths.
//!
//! `Stack/Vpc/PublicSubnet1` becomes `VpcPublicSubnet1`: readable, and
//! stable when unrelated code changes because it depends on the path alone.
//! Path components named `Resource` or `Default` are dropped, so a
//! construct that wraps one main resource gives it the construct's own ID.
//! Two paths that flatten to the same ID are an error (see `synthesize`)
//! rather than silently hashed, so IDs never shift under a deployed stack.

/// CloudFormation's limit on logical ID length.
pub const MAX_LEN: usize = 255;

/// The logical ID for a path inside a stack (the stack name excluded).
pub fn from_path(relative_path: &str) -> String {
    let single = !relative_path.contains('/');
    let kept = relative_path
        .split('/')
        .filter(|c| single || (*c != "Resource" && *c != "Default"));
    let mut id = String::with_capacity(relative_path.len());
    for component in kept {
        for piece in component.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut chars = piece.chars();
            if let Some(first) = chars.next() {
                id.push(first.to_ascii_uppercase());
                id.extend(chars);
            }
        }
    }
    if id.is_empty() {
        id = format!("Construct{}", short_hash(relative_path));
    }
    if id.len() > MAX_LEN {
        // Keep the readable start, make the end unique to the full path.
        id.truncate(MAX_LEN - 8);
        id.push_str(&short_hash(relative_path));
    }
    id
}

/// Why a pinned logical ID is not valid, if it is not.
pub fn problem(id: &str) -> Option<String> {
    if id.is_empty() || id.len() > MAX_LEN || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(format!(
            "logical ID {id:?} is invalid: use 1-{MAX_LEN} ASCII letters and digits"
        ))
    } else {
        None
    }
}

/// Why a pinned condition name is not valid, if it is not: conditions
/// also take `&` and `_` (CloudFormation's and cfn-lint's pattern for the
/// Conditions section), unlike every other logical ID.
pub fn condition_problem(id: &str) -> Option<String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '&' || c == '_';
    if id.is_empty() || id.len() > MAX_LEN || !id.chars().all(ok) {
        Some(format!(
            "condition name {id:?} is invalid: use 1-{MAX_LEN} ASCII letters, digits, `&` and `_`"
        ))
    } else {
        None
    }
}

/// Eight hex digits of the FNV-1a hash of `text`: stable across runs,
/// machines and compiler versions, unlike `std`'s hasher.
pub fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08X}", (hash >> 32) as u32 ^ hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_paths_into_pascal_case() {
        assert_eq!(from_path("Vpc/PublicSubnet1"), "VpcPublicSubnet1");
        assert_eq!(from_path("gitlab-cicd/policy"), "GitlabCicdPolicy");
        assert_eq!(from_path("Cluster/Resource"), "Cluster");
        assert_eq!(from_path("Resource"), "Resource");
        assert_eq!(from_path("a_b/c.d"), "ABCD");
    }

    #[test]
    fn long_paths_are_cut_and_made_unique() {
        let a = format!("{}/A", "X".repeat(300));
        let b = format!("{}/B", "X".repeat(300));
        let (ia, ib) = (from_path(&a), from_path(&b));
        assert_eq!(ia.len(), MAX_LEN);
        assert_ne!(ia, ib);
        assert!(problem(&ia).is_none());
    }

    #[test]
    fn empty_ids_get_a_stable_name() {
        assert_eq!(from_path("--"), from_path("--"));
        assert!(from_path("--").starts_with("Construct"));
    }

    #[test]
    fn pinned_ids_are_checked() {
        assert!(problem("MyRole1").is_none());
        assert!(problem("my-role").is_some());
        assert!(problem("").is_some());
        assert!(problem(&"A".repeat(256)).is_some());
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(short_hash("Stack/Vpc"), short_hash("Stack/Vpc"));
        assert_ne!(short_hash("Stack/Vpc"), short_hash("Stack/Vpd"));
        assert_eq!(short_hash("").len(), 8);
    }
}
