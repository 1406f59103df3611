//! No program text traps the module: every program of jq 1.8.2's test
//! files (`support::jq_test_files`), cut short and mutated (a character
//! dropped, a piece of jq syntax put in, a span dropped or repeated), runs
//! through the compiled `.wasm` on its block's input and must end in a
//! node, Succeeded or Failed (a syntax error, a run-time error, the host's
//! time or memory limit), never a trap. The mutations come from a fixed
//! seed, so a failure is reproducible; `JSON_QUERY_FUZZ_SEED` runs another
//! set.

mod support;

use std::time::Duration;

use support::jq_test_files::{self, FILES};
use support::json_query_with;
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::harness::{invocation, options};

/// How long one program may run: mutated programs may loop for ever.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Variants of each program.
const VARIANTS: usize = 2;

/// Pieces of jq syntax the mutations put in.
const PIECES: &[&str] = &[
    "\"", "\\", "\\(", "(", ")", "[", "]", "{", "}", "|", ";", ":", ".", "..", "$", "$x", "?", "?//", "//", "%", ",",
    "=", "|=", "as", "if", "then", "end", "reduce", "foreach", "def f:", "try", "catch", "label $l", "@base64", "\\u",
    "\\ud83d", "nan", "-", "#", "$__loc__", " ",
];

/// The programs the issue found trapping the module.
const KNOWN: &[&str] = &["\"\\", "\"a\\", "\"\\(1)\\", "@base64 \"\\", "\"\\u", "\"\\ud83d\\u"];

/// Programs that trapped the module later, with their input and what the
/// message of their Failed node says now: an array growing past the memory
/// (the run is given 128 MiB, so it gets there quickly; the module stops
/// the array with "... does not fit in the module's memory", or, when
/// another allocation meets the limit first, the host says the module "ran
/// out of memory"), and a filter argument passed down through every level
/// of a recursion, whose call goes back through all of them.
const KNOWN_LATER: &[(&str, &str, &str)] = &[
    ("[recurse(. * .; .)]", "2", "memory"),
    ("[range(1e9)] | length", "null", "memory"),
    ("def f(x): x | f(x); f(1)", "null", "Recursion too deep"),
    ("def f(x; y): y | f(y; x); f(1; 2)", "null", "Recursion too deep"),
    ("def f(x): if . > 20000 then x else .+1 | f(x) end; 0 | f(7)", "null", "Recursion too deep"),
];

/// xorshift64*: small, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }

    /// A character boundary of `s`.
    fn boundary(&mut self, s: &str) -> usize {
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        bounds[self.below(bounds.len())]
    }
}

/// One variant of `program`.
fn mutate(program: &str, rng: &mut Rng) -> String {
    let at = rng.boundary(program);
    let other = rng.boundary(program);
    let (from, to) = (at.min(other), at.max(other));
    match rng.below(5) {
        0 => program[..at].to_owned(),
        1 => {
            let next = program[at..].chars().next().map_or(0, char::len_utf8);
            format!("{}{}", &program[..at], &program[at + next..])
        }
        2 => format!("{}{}{}", &program[..at], PIECES[rng.below(PIECES.len())], &program[at..]),
        3 => format!("{}{}", &program[..from], &program[to..]),
        _ => format!("{}{}{}", &program[..to], &program[from..to], &program[to..]),
    }
}

#[test]
fn no_program_traps_the_module() {
    let seed = std::env::var("JSON_QUERY_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(27);
    let mut rng = Rng(seed | 1);
    let mut cases: Vec<(String, String)> = KNOWN.iter().map(|p| ((*p).to_owned(), "null".to_owned())).collect();
    for file in FILES {
        for block in jq_test_files::read(file) {
            for _ in 0..VARIANTS {
                cases.push((mutate(&block.program, &mut rng), block.input().to_owned()));
            }
        }
    }

    let (mut succeeded, mut failed, mut limits) = (0, 0, 0);
    let mut traps = Vec::new();
    for (program, input) in &cases {
        let mut run = options(invocation(&[("query", program), ("json", input)]));
        run.timeout = Some(TIMEOUT);
        let node = json_query_with(run);
        let message = &node.message;
        if message.contains("the module trapped") || message.contains("panicked") {
            traps.push(format!("{program:?} on {input}: {message}"));
        } else if message.contains("ran longer than the timeout") || message.contains("ran out of memory") {
            limits += 1;
        } else if node.phase == Phase::Succeeded {
            succeeded += 1;
        } else {
            failed += 1;
        }
    }
    println!(
        "{} programs (seed {seed}): {succeeded} succeeded, {failed} failed with a message, {limits} stopped by the \
         host's time or memory limit, {} trapped",
        cases.len(),
        traps.len()
    );
    assert!(traps.is_empty(), "{} programs trap the module:\n{}", traps.len(), traps.join("\n"));
    assert!(succeeded > cases.len() / 10 && failed > cases.len() / 10, "the variants are not a mix of runs and errors");
}

#[test]
fn programs_that_trapped_fail_with_their_reason() {
    for (program, input, reason) in KNOWN_LATER {
        let mut run = options(invocation(&[("query", program), ("json", input)]));
        run.max_memory_mib = Some(128);
        let node = json_query_with(run);
        assert_eq!(node.phase, Phase::Failed, "{program}: {node:?}");
        let message = &node.message;
        let memory = message.contains("does not fit in the module's memory") || message.contains("ran out of memory");
        let recursion = message.contains("the query failed: Recursion too deep");
        assert!(
            !message.contains("trapped")
                && !message.contains("panicked")
                && message.contains(reason)
                && (memory || recursion),
            "{program} on {input}: {message}"
        );
    }
}
