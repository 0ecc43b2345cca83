//! Synthesizes the bundled stacks into the output directory (`out/`, or
//! what `synth` passes in `SYNTH_OUTDIR`).

fn main() -> std::process::ExitCode {
    stacks::app().run()
}
