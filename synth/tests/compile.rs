//! What must and must not compile against the generated API.

#[test]
fn required_properties_are_named_not_positional() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile/positional_arguments.rs");
    t.compile_fail("tests/compile/missing_field.rs");
    t.pass("tests/compile/named_fields.rs");
}
