//! Filter speed: 20 child filters of 6 rules each (one regex in each) over a 10,000-track base,
//! compiled once and evaluated over pre-normalised tracks. The target is a full pass in under
//! 20 ms on one core.
//!
//! Run: `cargo bench -p syncer-core --bench filters -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use syncer_core::filter::{
    CompiledFilter, DurationMs, EvalContext, Filter, FilterTrack, PartialDate, PostContext,
    PreparedTrack, Timestamp, compile, evaluate_all, post_process, prepare_all, query,
};

const TRACKS: usize = 10_000;
const FILTERS: usize = 20;
const NOW: i64 = 1_718_452_800;

/// A small deterministic generator (64-bit LCG), so every run sees the same playlist.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

const WORDS: &[&str] = &[
    "love", "night", "heart", "the", "dream", "fire", "rain", "città", "cœur", "señal", "blue",
    "road", "home", "light", "ghost", "summer", "wave", "dancing", "río", "gold",
];
const ARTISTS: &[&str] = &[
    "Radiohead",
    "Beyoncé",
    "Sigur Rós",
    "Björk",
    "Muse",
    "Massive Attack",
    "Portishead",
    "The National",
    "Daft Punk",
    "Røyksopp",
    "Khruangbin",
    "Mogwai",
    "Air",
    "Phoenix",
    "Justice",
    "Caribou",
];
const GENRES: &[&str] = &[
    "indie rock",
    "alternative rock",
    "trip hop",
    "electronic",
    "dream pop",
    "post-rock",
    "french house",
    "art pop",
    "psychedelic soul",
    "shoegaze",
];

fn tracks() -> Vec<PreparedTrack> {
    let mut rng = Lcg(42);
    let raw = (0..TRACKS).map(|i| {
        let title = format!(
            "{} {} {}",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
        let artists: Vec<String> = (0..=rng.below(2))
            .map(|_| rng.pick(ARTISTS).to_owned())
            .collect();
        let genres: Vec<String> = (0..=rng.below(3))
            .map(|_| rng.pick(GENRES).to_owned())
            .collect();
        let year = 1970 + i32::try_from(rng.below(55)).unwrap_or(0);
        let mut t = FilterTrack::unknown(format!("track{i}"), u32::try_from(i + 1).unwrap_or(0));
        t.title = Some(title);
        t.artists = Some(artists);
        t.album = Some(format!("Album {}", rng.below(2000)));
        t.album_type = Some("album".into());
        t.release = PartialDate::new(year, Some(1 + (rng.below(12) as u8)), None).ok();
        t.duration = Some(DurationMs(120_000 + rng.below(300_000)));
        t.explicit = Some(rng.below(4) == 0);
        t.track_number = Some(1 + rng.below(14) as u32);
        t.disc_number = Some(1);
        t.isrc = Some(format!("GB{:010}", rng.below(10_000_000_000)));
        t.added_at = Some(Timestamp::from_unix_seconds(
            NOW - i64::try_from(rng.below(3 * 365 * 86_400)).unwrap_or(0),
        ));
        t.added_by = Some("alice".into());
        t.artist_genres = Some(genres);
        t.album_genres = Some(Vec::new());
        t.label = Some("Label".into());
        t.popularity = Some(rng.below(101) as u8);
        t.artist_popularity = Some(rng.below(101) as u8);
        t
    });
    prepare_all(raw.collect::<Vec<_>>())
}

/// Twenty filters of six rules each, one of them a regex.
fn filters() -> Vec<Filter> {
    const REGEXES: &[&str] = &[
        r"\b(love|heart)\b",
        r"^the\s",
        r"(fire|gold)$",
        r"r[ií]o",
        r"\bcoeur\b",
    ];
    (0..FILTERS)
        .map(|i| {
            let genre = GENRES[i % GENRES.len()];
            let artist = ARTISTS[i % ARTISTS.len()];
            let regex = REGEXES[i % REGEXES.len()];
            let from = 1970 + (i * 2) % 40;
            let q = if i % 2 == 0 {
                format!(
                    r#"genre:"{genre}" year:{from}..{to} -explicit (artist:"{artist}" OR popularity:>{pop}) title::"{regex}""#,
                    to = from + 15,
                    pop = 40 + i
                )
            } else {
                format!(
                    r#"added:<{days}d duration:<{min}:30 artist.none:"{artist}" (genre:"{genre}" OR title:{word}) title::"{regex}" | limit 50 by -added"#,
                    days = 100 + 30 * i,
                    min = 3 + i % 3,
                    word = WORDS[i % WORDS.len()],
                )
            };
            query::parse(&q).unwrap_or_else(|e| panic!("{q}: {e}"))
        })
        .collect()
}

fn ctx() -> EvalContext {
    EvalContext::utc(Timestamp::from_unix_seconds(NOW))
}

fn compile_all(filters: &[Filter]) -> Vec<CompiledFilter> {
    filters
        .iter()
        .map(|f| compile(f, &ctx()).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn bench(c: &mut Criterion) {
    let tracks = tracks();
    let filters = filters();
    let rules: usize = filters.iter().map(Filter::rule_count).sum();
    let compiled = compile_all(&filters);
    let total: usize = compiled
        .iter()
        .map(|f| f.evaluate(&tracks).included.len())
        .sum();
    eprintln!(
        "{FILTERS} filters, {rules} rules, {TRACKS} tracks: {} rule evaluations a pass (before \
         short-circuit), {total} matches",
        rules * TRACKS
    );

    let mut group = c.benchmark_group("filters");
    group.throughput(Throughput::Elements((rules * TRACKS) as u64));
    group.bench_function("evaluate 20 filters x 10k tracks", |b| {
        b.iter(|| {
            for f in &compiled {
                black_box(f.evaluate(black_box(&tracks)));
            }
        })
    });
    group.bench_function("one pass: 20 filters per track x 10k tracks", |b| {
        let refs: Vec<&CompiledFilter> = compiled.iter().collect();
        b.iter(|| black_box(evaluate_all(black_box(&refs), black_box(&tracks))))
    });
    group.bench_function("full: compile 20 + one pass + post-steps", |b| {
        b.iter(|| {
            let fresh = compiled_filters(black_box(&filters));
            let refs: Vec<&CompiledFilter> = fresh.iter().collect();
            for (f, m) in fresh.iter().zip(evaluate_all(&refs, &tracks)) {
                black_box(post_process(
                    f.post(),
                    &tracks,
                    &m.included,
                    &PostContext { seed: 1 },
                ));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("setup");
    group.bench_function("compile 20 filters", |b| {
        b.iter(|| black_box(compiled_filters(black_box(&filters))))
    });
    group.bench_function("prepare 10k tracks", |b| {
        let raw: Vec<FilterTrack> = tracks.iter().map(|t| t.track().clone()).collect();
        b.iter(|| black_box(prepare_all(black_box(raw.clone()))))
    });
    group.bench_function("parse 20 queries", |b| {
        let texts: Vec<String> = filters.iter().map(query::format).collect();
        b.iter(|| {
            for t in &texts {
                black_box(query::parse(black_box(t)).ok());
            }
        })
    });
    group.finish();
}

fn compiled_filters(filters: &[Filter]) -> Vec<CompiledFilter> {
    compile_all(filters)
}

criterion_group!(benches, bench);
criterion_main!(benches);
