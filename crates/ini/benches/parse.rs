//! Parsing throughput on large generated files: a config file of 10,000 profiles (about 1 MB)
//! and a credentials file of 2,000 profiles.
//!
//! `cargo bench -p lanyard-ini --bench parse -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use lanyard_ini::{Document, Kind};

#[path = "gen.rs"]
mod generate;

fn parse(c: &mut Criterion) {
    let files = [
        ("config", Kind::Config, generate::config(10_000)),
        (
            "credentials",
            Kind::Credentials,
            generate::credentials(2_000),
        ),
    ];
    for (name, kind, text) in &files {
        // The generated files must be what the benchmark claims: valid, and of that size.
        let document = Document::parse(text, *kind);
        let sections = document.sections().expect("the generated file is valid");
        assert!(sections.profiles.len() >= if *kind == Kind::Config { 10_000 } else { 2_000 });
        assert_eq!(document.render(), *text);

        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("parse", |b| {
            // Splitting the lines and classifying them (the classification is computed on
            // first use; `errors()` asks for it).
            b.iter(|| {
                let document = Document::parse(black_box(text), *kind);
                black_box(document.errors().len());
                document
            })
        });
        group.bench_function("parse+sections", |b| {
            b.iter(|| {
                Document::parse(black_box(text), *kind)
                    .sections()
                    .expect("valid")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
