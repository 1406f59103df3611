//! Every bad input ends in a `Failed` node that says what, never a trap:
//! malformed CSV (with the line), malformed JSON and NDJSON, SQL errors
//! (with SQLite's message), a query past the step's memory, bad
//! parameters and artifacts.

mod support;

use support::{input, sql, sql_with};
use wasm_workflows_test_support::cargo_build::WasmTarget;

fn failure_on(name: &str, path: &str, contents: &[u8]) -> String {
    sql(&[("query", "SELECT * FROM t")], &[input(name, path, contents)]).failure().to_owned()
}

#[test]
fn malformed_csv_names_the_line() {
    let cases: [(&[u8], &str); 6] = [
        (
            b"a,b\n1,2\n3\n",
            "input artifact \"t\": malformed CSV at line 3: the record has 1 field, the header has 2 fields",
        ),
        (
            b"a,b\n1,2\n3,4,5\n",
            "input artifact \"t\": malformed CSV at line 3: the record has 3 fields, the header has 2 fields",
        ),
        (
            b"a,b\n1,\"two\nlines\"\n\"x\"y,3\n",
            "input artifact \"t\": malformed CSV at line 4: field 1 is quoted and 'y' follows its closing quote: expected the delimiter or the end of the line (a quote inside a quoted field is written twice)",
        ),
        (
            b"a,b\n1,2\n3,\"never closed\n4,5\n",
            "input artifact \"t\": malformed CSV at line 3: a quoted field starts here and is never closed (a quote inside a quoted field is written twice)",
        ),
        (b"a,b\n1,\xff\n", "input artifact \"t\": malformed CSV at line 2: field 2 is not UTF-8 text"),
        (b"", "input artifact \"t\": the CSV is empty: expected a header row naming the columns"),
    ];
    for (csv, expected) in cases {
        assert_eq!(failure_on("t", "/t.csv", csv), expected, "{}", String::from_utf8_lossy(csv));
    }
}

#[test]
fn malformed_json_and_ndjson() {
    assert!(failure_on("t", "/t.json", b"[{\"a\": 1},").starts_with("input artifact \"t\": malformed JSON: "));
    assert_eq!(
        failure_on("t", "/t.json", b"{\"a\": 1}"),
        "input artifact \"t\": expected a JSON array of objects (one per row), got an object"
    );
    assert_eq!(
        failure_on("t", "/t.json", b"[{\"a\": 1}, 2]"),
        "input artifact \"t\": element 2 of the array is a number: expected an object (one per row)"
    );
    assert_eq!(
        failure_on("t", "/t.json", b"[]"),
        "input artifact \"t\": no object has a key, so there are no columns for table \"t\""
    );
    assert_eq!(
        failure_on("t", "/t.json", b"[{\"a\": 1, \"A\": 2}]"),
        "input artifact \"t\": keys \"a\" and \"A\" would be the same column: SQLite's names ignore case"
    );
    let message = failure_on("t", "/t.ndjson", b"{\"a\": 1}\n\n{\"a\": 2\n");
    assert!(message.starts_with("input artifact \"t\": line 3: malformed JSON: "), "{message}");
    assert_eq!(
        failure_on("t", "/t.ndjson", b"{\"a\": 1}\n[1]\n"),
        "input artifact \"t\": line 2 is an array: expected an object (one per line)"
    );
}

#[test]
fn sql_errors_carry_sqlites_message_and_where() {
    let cases = [
        ("SELECT * FROM missing", "parameter \"query\": statement 1 (line 1): no such table: missing"),
        (
            "SELECT 1;\nSELEC 2",
            "parameter \"query\": statement 2 (line 2): near \"SELEC\": syntax error (at line 2, column 1)",
        ),
        (
            "CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)",
            "parameter \"query\": statement 3 (line 1): UNIQUE constraint failed: t.x",
        ),
        ("SELECT abs(-9223372036854775808)", "parameter \"query\": statement 1 (line 1): integer overflow"),
        ("-- only a comment", "parameter \"query\" holds no SQL statement"),
        (
            "SELECT load_extension('x')",
            "parameter \"query\": statement 1 (line 1): no such function: load_extension (at line 1, column 8)",
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(sql(&[("query", query)], &[]).failure(), expected, "{query}");
    }
}

#[test]
fn a_query_past_the_steps_memory_fails_with_a_message() {
    let query = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 5000000) \
                 SELECT count(DISTINCT printf('%040d', i)) FROM n";
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        let answer = sql_with(target, &[("query", query)], &[], Some(64));
        assert_eq!(
            answer.failure(),
            "parameter \"query\": statement 1 (line 1): out of memory: the query needs more memory than the step has (give the step more memory, or make the query keep less: fewer rows in a sort, a GROUP BY or a DISTINCT)",
            "{target:?}"
        );
    }
}

#[test]
fn a_quote_never_closed_in_a_large_file_fails_with_a_message() {
    let mut csv = b"a,b\n1,\"open\n".to_vec();
    while csv.len() < 40_000_000 {
        csv.extend_from_slice(b"x,y,z\n");
    }
    let answer = sql_with(WasmTarget::Wasip1, &[("query", "SELECT * FROM t")], &[input("t", "/t.csv", &csv)], Some(48));
    let message = answer.failure();
    assert!(
        message.starts_with("input artifact \"t\": malformed CSV at line 2: the record that starts here is larger than the step's memory allows"),
        "{message}"
    );
}

#[test]
fn bad_parameters_and_artifacts_are_named() {
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[], "missing required parameter \"query\" (add it to the template's inputs.parameters)"),
        (
            &[("query", "SELECT 1"), ("format", "xml")],
            "parameter \"format\": expected csv, json, ndjson or sqlite, got \"xml\"",
        ),
        (&[("query", "SELECT 1"), ("types", "auto")], "parameter \"types\": expected infer or text, got \"auto\""),
        (
            &[("query", "SELECT 1"), ("delimiter", "::")],
            "parameter \"delimiter\": expected one ASCII character (or \\t for a tab), got \"::\"",
        ),
        (
            &[("query", "SELECT 1"), ("quote", "«")],
            "parameter \"quote\": expected one ASCII character (or \\t for a tab, or an empty string for none), got \"«\"",
        ),
        (
            &[("query", "SELECT 1"), ("delimiter", "'"), ("quote", "'")],
            "parameters \"delimiter\" and \"quote\" are the same character",
        ),
        (
            &[("query", "SELECT 1"), ("input_format", "xlsx")],
            "parameter \"input_format\": expected csv, json, ndjson or sqlite, got \"xlsx\"",
        ),
        (&[("query", "SELECT 1"), ("sql", "SELECT 2")], "unknown parameter \"sql\""),
    ];
    for (parameters, expected) in cases {
        let answer = sql(parameters, &[input("t", "/t.csv", b"a\n1\n")]);
        assert!(answer.failure().starts_with(expected), "{parameters:?}: {}", answer.failure());
    }
    assert_eq!(
        failure_on("t", "/t.db", b"not a database at all"),
        "input artifact \"t\": not a SQLite database (it does not start with \"SQLite format 3\")"
    );
    let same = sql(&[("query", "SELECT 1")], &[input("t", "/t.csv", b"a\n1\n"), input("T", "/u.csv", b"a\n1\n")]);
    assert_eq!(same.failure(), "input artifacts \"t\" and \"T\" name the same table: SQLite's names ignore case");
}
