//! The sql module's CSV reading, through its `.wasm`, on random input:
//! - well-formed CSV (any fields, quoted or not, `\n` or `\r\n` lines)
//!   gives the rows `sqlite3`'s `.import --csv` gives (Debian's shell,
//!   installed by scripts/setup.sh), printed byte for byte the same;
//! - any bytes at all end in a `Succeeded` node or a `Failed` one that names
//!   the artifact: never a trap.

use std::process::Command;

use proptest::prelude::*;
use wasm_workflows_cli::runner::{InputFile, RunOptions};
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// Runs the module on `csv` as table `t` (every column TEXT, as `.import`
/// makes them) with `SELECT * FROM t`.
fn module_on(csv: &[u8]) -> PluginResult {
    let folder = tempfile::tempdir().unwrap();
    let source = folder.path().join("t.csv");
    std::fs::write(&source, csv).unwrap();
    let mut run_options: RunOptions = options(invocation(&[("query", "SELECT * FROM t"), ("types", "text")]));
    run_options.input_files.push(InputFile { name: "t".into(), path: "/t.csv".into(), source });
    run(&module("sql", WasmTarget::Wasip1), &run_options).node
}

/// What `sqlite3 -csv -header` prints for the same table.
fn sqlite3_on(csv: &[u8]) -> String {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("t.csv"), csv).unwrap();
    let output = Command::new("sqlite3")
        .current_dir(folder.path())
        .args(["-csv", "-header", ":memory:", ".import --csv t.csv t", "SELECT * FROM t"])
        .output()
        .expect("sqlite3 runs (apt-get install sqlite3; scripts/setup.sh installs it)");
    String::from_utf8(output.stdout).unwrap()
}

/// A field's text: letters, digits, signs, spaces, quotes, delimiters,
/// line breaks, non-ASCII.
fn field() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-z0-9]",
            1 => Just(",".to_owned()),
            1 => Just("\"".to_owned()),
            1 => Just(" ".to_owned()),
            1 => Just("\n".to_owned()),
            1 => Just("\r\n".to_owned()),
            1 => Just("é".to_owned()),
            1 => Just("-1.5e3".to_owned()),
            1 => Just("'".to_owned()),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

/// A field written as CSV: in quotes when it must be, or at random.
fn written(text: &str, quote_anyway: bool) -> String {
    if quote_anyway || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A well-formed CSV: a header of distinct names, rows of as many fields.
fn csv() -> impl Strategy<Value = Vec<u8>> {
    (1..4usize)
        .prop_flat_map(|width| {
            (
                prop::collection::btree_set("[a-z]{1,3}", width..=width),
                prop::collection::vec(prop::collection::vec((field(), any::<bool>()), width..=width), 1..6),
                any::<bool>(),
                any::<bool>(),
            )
        })
        .prop_map(|(names, rows, crlf, last_newline)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut lines: Vec<String> = vec![names.into_iter().collect::<Vec<_>>().join(",")];
            for row in rows {
                lines.push(row.iter().map(|(text, quote)| written(text, *quote)).collect::<Vec<_>>().join(","));
            }
            let mut text = lines.join(end);
            // One known difference: the shell reads an empty last field at the very end
            // of a file without a line end as NULL (a missing field); the module as ''.
            if last_newline || text.ends_with(',') {
                text.push_str(end);
            }
            text.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, .. ProptestConfig::default() })]

    #[test]
    fn well_formed_csv_gives_what_sqlite3_import_gives(csv in csv()) {
        let node = module_on(&csv);
        prop_assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
        let expected = sqlite3_on(&csv);
        let got = node.output_parameter("result").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        // With no rows the shell prints nothing and the module the header.
        if expected.is_empty() {
            prop_assert_eq!(got.lines().count(), 1, "{}", got);
        } else {
            prop_assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&csv));
        }
    }

    #[test]
    fn any_bytes_end_in_an_answer_not_a_trap(
        bytes in prop::collection::vec(prop_oneof![
            3 => prop::sample::select(b"ab1,\"\n\r ".to_vec()),
            1 => any::<u8>(),
        ], 0..200)
    ) {
        let node = module_on(&bytes);
        if node.phase == Phase::Failed {
            prop_assert!(node.message.starts_with("input artifact \"t\": "), "{}", node.message);
        }
    }
}
