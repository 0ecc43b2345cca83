//! What must and must not compile against the generated API.

#[test]
fn required_properties_are_named_not_positional() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile/positional_arguments.rs");
    t.compile_fail("tests/compile/missing_field.rs");
    t.pass("tests/compile/named_fields.rs");
}

#[test]
fn a_construct_or_handle_of_the_wrong_type_is_refused() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile/subnet_as_role.rs");
    t.compile_fail("tests/compile/vpc_handle_as_subnets.rs");
    t.compile_fail("tests/compile/handle_of_wrong_type.rs");
}
