//! Reading the schema directory: the per-region provider lists and the
//! resource schemas they point at.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The schema directory's contents.
pub struct Loaded {
    /// Sorted by type name.
    pub types: Vec<TypeInput>,
    /// Every region with a provider file, sorted.
    pub regions: Vec<String>,
}

/// One resource type with the schema it is generated from and the regions
/// that list it.
pub struct TypeInput {
    pub type_name: String,
    pub schema: Value,
    pub regions: BTreeSet<String>,
}

/// The region whose schema wins when a type is listed by several.
const PREFERRED_REGION: &str = "us-east-1";

/// Provider files that are not regions.
const NOT_REGIONS: &[&str] = &["sam"];

/// The directory holding `<hash>.json`: `resources/` inside the schema
/// directory, or beside it as cfn-lint ships it.
fn resources_dir(schema_dir: &Path) -> Result<PathBuf, String> {
    let inside = schema_dir.join("resources");
    if inside.is_dir() {
        return Ok(inside);
    }
    let beside = schema_dir.join("..").join("resources");
    if beside.is_dir() {
        return Ok(beside);
    }
    Err(format!(
        "no resources/ directory in or beside {}",
        schema_dir.display()
    ))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))
}

/// Every type listed by any region, sorted by name. Each type's schema is
/// us-east-1's when it lists the type, else that of the first region (by
/// name) that does.
pub fn load(schema_dir: &Path) -> Result<Loaded, String> {
    let resources = resources_dir(schema_dir)?;
    let mut listings: Vec<(String, PathBuf)> = Vec::new();
    let entries =
        fs::read_dir(schema_dir).map_err(|e| format!("reading {}: {e}", schema_dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") || !path.is_file() {
            continue;
        }
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if NOT_REGIONS.contains(&stem) {
            continue;
        }
        listings.push((stem.to_owned(), path));
    }
    if listings.is_empty() {
        return Err(format!(
            "no <region>.json provider files in {}",
            schema_dir.display()
        ));
    }
    listings.sort();

    // type -> region -> schema file hash
    let mut types: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (region, path) in &listings {
        let Value::Object(map) = read_json(path)? else {
            return Err(format!("{}: expected an object", path.display()));
        };
        for (type_name, hash) in map {
            let Value::String(hash) = hash else {
                return Err(format!(
                    "{}: {type_name}: expected a string",
                    path.display()
                ));
            };
            types
                .entry(type_name)
                .or_default()
                .insert(region.clone(), hash);
        }
    }

    let mut cache: BTreeMap<String, Value> = BTreeMap::new();
    let mut out = Vec::with_capacity(types.len());
    for (type_name, by_region) in types {
        let hash = by_region
            .get(PREFERRED_REGION)
            .or_else(|| by_region.values().next())
            .expect("a listed type has a region")
            .clone();
        if !hash
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!("{type_name}: unexpected schema file name {hash:?}"));
        }
        let schema = match cache.get(&hash) {
            Some(s) => s.clone(),
            None => {
                let s = read_json(&resources.join(format!("{hash}.json")))?;
                cache.insert(hash.clone(), s.clone());
                s
            }
        };
        if let Some(name) = schema.get("typeName").and_then(Value::as_str) {
            if name != type_name {
                return Err(format!("{type_name}: its schema {hash}.json is for {name}"));
            }
        }
        out.push(TypeInput {
            type_name,
            schema,
            regions: by_region.into_keys().collect(),
        });
    }
    Ok(Loaded {
        types: out,
        regions: listings.into_iter().map(|(region, _)| region).collect(),
    })
}

/// The region names of `synth::regions::REGIONS`, in order, read from the
/// `regions! { "name" => PARTITION, ... }` table of `regions.rs`.
pub fn region_table(source: &str) -> Result<Vec<String>, String> {
    let start = source
        .find("regions! {")
        .ok_or("regions.rs: no `regions! {` table")?;
    let body = &source[start + "regions! {".len()..];
    let end = body
        .find('}')
        .ok_or("regions.rs: unterminated region table")?;
    let mut names = Vec::new();
    for line in body[..end].lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let name = line
            .strip_prefix('"')
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| format!("regions.rs: cannot read region table line {line:?}"))?;
        names.push(name.to_owned());
    }
    if names.is_empty() || names.len() > 64 {
        return Err(format!(
            "regions.rs: the region table has {} entries; a RegionSet holds 1 to 64",
            names.len()
        ));
    }
    Ok(names)
}

/// The bit set of `regions` over `table`; an error names regions the table
/// lacks.
pub fn region_bits(
    type_name: &str,
    regions: &BTreeSet<String>,
    table: &[String],
) -> Result<u64, String> {
    let mut bits = 0u64;
    for region in regions {
        match table.iter().position(|r| r == region) {
            Some(i) => bits |= 1 << i,
            None => {
                return Err(format!(
                    "the schemas list {type_name} in region {region:?}, which is not in \
                     synth::regions::REGIONS (synth/src/regions.rs): add it to that table"
                ))
            }
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_region_table_of_the_library() {
        let table = region_table(crate::REGION_SOURCE).unwrap();
        assert!(table.len() > 30);
        assert!(table.contains(&"us-east-1".to_owned()));
        assert!(table.contains(&"cn-north-1".to_owned()));
        let mut sorted = table.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), table.len());
    }

    #[test]
    fn region_bits_follow_the_table_and_reject_unknown_regions() {
        let table: Vec<String> = ["a-1", "b-1", "c-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let set: BTreeSet<String> = ["a-1", "c-1"].iter().map(|s| s.to_string()).collect();
        assert_eq!(region_bits("T", &set, &table), Ok(0b101));
        let bad: BTreeSet<String> = ["z-9".to_owned()].into();
        let err = region_bits("AWS::X::Y", &bad, &table).unwrap_err();
        assert!(err.contains("z-9") && err.contains("REGIONS"), "{err}");
    }
}
