//! Placeholder until the generated resource modules land.
use crate::schema::TypeMeta;

/// Schema facts of a resource type, when its service is compiled in.
pub fn lookup(_type_name: &str) -> Option<&'static TypeMeta> {
    None
}

/// The regions the schema data covers; availability is only checked there.
pub fn covered_regions() -> crate::region::RegionSet {
    crate::region::RegionSet::default()
}
