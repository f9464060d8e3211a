//! The fuzz targets on stable Rust: every stored seed (`seeds/<target>/`),
//! then mutations of them for a bounded time, through the same entry points
//! libFuzzer uses. Not coverage-guided, so it is a smoke test, not a fuzzer:
//! for real runs use `cargo +nightly fuzz run <target>`.
//!
//! `OXGRPC_FUZZ_SECS` (default 1) is the time per target, `OXGRPC_FUZZ_SEED`
//! the random seed (default fixed, so a run can be repeated). A failing input
//! is written to `target/fuzz-smoke/<target>.bin` to replay or to add to the
//! seeds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no seeds in {}: {e}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds.sort();
    seeds
}

/// One to four random edits: byte flips, interesting values, inserts,
/// deletes, duplicated runs, and splices with another seed.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    const INTERESTING: [u8; 8] = [0, 1, 0x7f, 0x80, 0xff, 0x3f, 0x40, 0x0a];
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        let byte = at.min(input.len().saturating_sub(1));
        match rng.below(6) {
            0 if !input.is_empty() => input[byte] ^= 1 << rng.below(8),
            1 if !input.is_empty() => input[byte] = INTERESTING[rng.below(INTERESTING.len())],
            2 => input.insert(at, rng.next() as u8),
            3 if at < input.len() => {
                let end = (at + 1 + rng.below(16)).min(input.len());
                input.drain(at..end);
            }
            4 if at < input.len() => {
                let end = (at + 1 + rng.below(32)).min(input.len());
                let run: Vec<u8> = input[at..end].to_vec();
                input.splice(at..at, run);
            }
            _ if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(64)).min(other.len());
                input.splice(at..at, other[from..end].iter().copied());
            }
            _ => {}
        }
    }
    input.truncate(1 << 16);
}

fn run_one(target: &str, run: fn(&[u8]), input: &[u8]) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run(input))) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-smoke");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{target}.bin"));
        let _ = std::fs::write(&path, input);
        let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        panic!(
            "{target} panicked ({why}) on an input of {} bytes, saved to {}",
            input.len(),
            path.display()
        );
    }
}

fn smoke(target: &str, run: fn(&[u8])) {
    let seeds = seeds(target);
    for seed in &seeds {
        run_one(target, run, seed);
    }
    let secs: f64 =
        std::env::var("OXGRPC_FUZZ_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let seed =
        std::env::var("OXGRPC_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED);
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let mut input = seeds[rng.below(seeds.len())].clone();
        let other = &seeds[rng.below(seeds.len())];
        mutate(&mut rng, &mut input, other);
        run_one(target, run, &input);
        runs += 1;
    }
    eprintln!("{target}: {} seeds, {runs} mutated inputs in {secs} s, seed {seed}", seeds.len());
}

#[test]
fn frame_decode() {
    smoke("frame_decode", oxgrpc_fuzz::frame_decode::run);
}

#[test]
fn hpack_decode() {
    smoke("hpack_decode", oxgrpc_fuzz::hpack_decode::run);
}

#[test]
fn grpc_message_decode() {
    smoke("grpc_message_decode", oxgrpc_fuzz::grpc_message_decode::run);
}

#[test]
fn grpc_wire_headers() {
    smoke("grpc_wire_headers", oxgrpc_fuzz::grpc_wire_headers::run);
}
