//! synth: define AWS infrastructure in Rust and synthesize CloudFormation.

pub mod aws;
pub mod ids;
pub mod manifest;
pub mod region;
pub mod resource;
pub mod schema;
pub mod stack;
pub mod value;
