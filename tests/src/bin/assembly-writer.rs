//! Writes cloud assemblies into one directory, again and again, for the
//! kill tests: `assembly-writer DIR [ITERATIONS]` (forever without a
//! count). Each assembly has a different number of stacks and resources,
//! so an interrupted swap would show as a manifest naming missing files.

use synth::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .expect("usage: assembly-writer DIR [ITERATIONS]"),
    );
    let iterations: Option<u64> = args.next().map(|n| n.parse().expect("a count"));
    let mut i = 0u64;
    while iterations.is_none_or(|n| i < n) {
        let mut app = App::new();
        for s in 0..(3 + i % 5) {
            let stack = app.stack(&format!("Stack{s}"));
            for r in 0..(20 + (i * 7 + s) % 30) {
                stack.add(
                    &format!("Parameter{r}"),
                    RawResource::new("AWS::SSM::Parameter")
                        .property("Type", "String")
                        .property("Value", format!("iteration {i} stack {s} resource {r}")),
                );
            }
        }
        let assembly = app.synth().expect("the writer's app is valid");
        assembly.write(&dir).expect("the assembly is written");
        i += 1;
    }
}
