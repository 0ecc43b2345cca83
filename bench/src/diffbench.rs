//! The diff engine on two 500-resource templates: parsing both bodies
//! (`template::parse`), the semantic diff (`diff::diff_owned`, which
//! normalizes both templates in place) and the terminal
//! rendering (`render::terminal`), what `synth diff` does per stack once it
//! has the deployed template.

use std::time::Instant;

use synth::manifest::TemplateFormat;
use synth::App;
use synth_bench::{define_diff_stack, open_ssh, DiffVersion, DIFF_STACK};
use synth_diff::{self as diff, render, template};

use crate::measure::Stats;

pub struct DiffCase {
    pub name: &'static str,
    pub old_resources: usize,
    pub new_resources: usize,
    pub old_bytes: usize,
    pub new_bytes: usize,
    /// add, change, remove, replace.
    pub counts: (usize, usize, usize, usize),
    pub broadening: bool,
    pub parse: Stats,
    pub diff: Stats,
    pub render: Stats,
    pub total: Stats,
}

/// The template body of the diff stack in `version`.
fn body(version: DiffVersion) -> String {
    let mut app = App::new();
    define_diff_stack(&mut app, version);
    let assembly = app
        .synth()
        .unwrap_or_else(|e| panic!("synthesizing the diff stack: {e}"));
    let stack = assembly.stack(DIFF_STACK).expect("the diff stack");
    if version != DiffVersion::Change {
        return stack.body.clone();
    }
    let mut template = stack.template().clone();
    open_ssh(&mut template);
    let map = template.as_object().expect("a template is an object");
    synth::assembly::render(map, TemplateFormat::Json)
}

fn case(name: &'static str, old: &str, new: &str, runs: usize, warmup: usize) -> DiffCase {
    let (mut parse, mut diffs, mut renders, mut totals) = (vec![], vec![], vec![], vec![]);
    let mut last = None;
    for i in 0..warmup + runs {
        let t0 = Instant::now();
        let a = template::parse(old).expect("the old template parses");
        let b = template::parse(new).expect("the new template parses");
        let t1 = Instant::now();
        let sizes = (resources(&a), resources(&b));
        let d = diff::diff_owned(
            DIFF_STACK,
            a,
            b,
            true,
            diff::create_only,
            &diff::Environment::default(),
        );
        let t2 = Instant::now();
        let text = render::terminal(&d, render::Style { color: false });
        let t3 = Instant::now();
        std::hint::black_box(&text);
        if i >= warmup {
            parse.push(t1 - t0);
            diffs.push(t2 - t1);
            renders.push(t3 - t2);
            totals.push(t3 - t0);
        }
        last = Some((sizes, d));
    }
    let ((old_resources, new_resources), d) = last.expect("at least one run");
    let c = d.counts();
    DiffCase {
        name,
        old_resources,
        new_resources,
        old_bytes: old.len(),
        new_bytes: new.len(),
        counts: (c.create, c.update, c.delete, c.replace),
        broadening: d.broadening,
        parse: Stats::new(parse),
        diff: Stats::new(diffs),
        render: Stats::new(renders),
        total: Stats::new(totals),
    }
}

fn resources(t: &template::Template) -> usize {
    t.get("Resources")
        .and_then(|r| r.as_object())
        .map_or(0, |r| r.len())
}

pub fn run(runs: usize, warmup: usize) -> Vec<DiffCase> {
    let base = body(DiffVersion::Base);
    let change = body(DiffVersion::Change);
    let retag = body(DiffVersion::Retag);
    vec![
        case("typical merge request", &base, &change, runs, warmup),
        case("every resource retagged", &base, &retag, runs, warmup),
        case("no change", &base, &base, runs, warmup),
    ]
}
