//! Starts moto, prints where it is, and exits without dropping the
//! handle. `a_server_dies_with_the_test_process` (tests/tests/harness.rs)
//! runs it to prove a server dies with the process that started it.

fn main() {
    let moto = synth_tests::servers::Moto::start();
    println!("LEAKED pgid={} endpoint={}", moto.pid(), moto.endpoint());
    std::mem::forget(moto);
}
