//! Each output format through the module's `.wasm` (CSV, JSON, NDJSON, a
//! SQLite database), the `result` parameter and when it is left out, which
//! statement's rows are the result, and the component (wasm32-wasip2)
//! giving what the core module gives.

mod support;

use support::{data, input, sql, sql_with, sqlite3};
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_test_support::cargo_build::WasmTarget;

const SUMMARY: &str = "SELECT region, count(*) AS orders, round(sum(amount), 2) AS total, max(note) AS note \
                       FROM orders GROUP BY region ORDER BY region";

const SUMMARY_CSV: &str = "region,orders,total,note\n\
                           east,2,141.5,\"\"\n\
                           north,3,435.75,\"said \"\"urgent\"\"\"\n\
                           south,3,335.0,\"gift, wrapped\"\n\
                           west,2,1218.99,\"two\nlines\"\n";

#[test]
fn csv_is_the_default_and_the_parameter_holds_the_same_text() {
    let orders = data("orders.csv");
    let answer = sql(&[("query", SUMMARY)], &[input("orders", "/orders.csv", &orders)]);
    assert_eq!(answer.parameter(), SUMMARY_CSV);
    assert_eq!(answer.artifact_text(), SUMMARY_CSV);
    assert!(answer.artifact_file().ends_with("result.csv"));
    assert_eq!(answer.node.message, "the query returned 4 rows (from table \"orders\" (10 rows, 6 columns, from CSV))");
}

#[test]
fn json_and_ndjson_give_one_object_per_row() {
    let orders = data("orders.csv");
    let expected = [
        r#"{"region":"east","orders":2,"total":141.5,"note":""}"#,
        r#"{"region":"north","orders":3,"total":435.75,"note":"said \"urgent\""}"#,
        r#"{"region":"south","orders":3,"total":335.0,"note":"gift, wrapped"}"#,
        r#"{"region":"west","orders":2,"total":1218.99,"note":"two\nlines"}"#,
    ];
    let answer = sql(&[("query", SUMMARY), ("format", "json")], &[input("orders", "/orders.csv", &orders)]);
    assert_eq!(answer.artifact_text(), format!("[{}]\n", expected.join(",\n")));
    assert!(json::parse(&answer.artifact_text()).is_ok());
    assert_eq!(answer.parameter(), SUMMARY_CSV, "the parameter is CSV whatever the artifact's format");
    let answer = sql(&[("query", SUMMARY), ("format", "ndjson")], &[input("orders", "/orders.csv", &orders)]);
    assert_eq!(answer.artifact_text(), format!("{}\n", expected.join("\n")));
    assert!(answer.artifact_file().ends_with("result.ndjson"));
}

#[test]
fn json_values_keep_their_types() {
    let answer = sql(
        &[
            ("query", "SELECT 1 AS i, 2.5 AS r, 'a\"b\\c' AS t, NULL AS n, x'00ff' AS b, 1e999 AS inf"),
            ("format", "json"),
        ],
        &[],
    );
    let value = json::parse(&answer.artifact_text()).unwrap();
    let row = &value.as_array().unwrap()[0];
    assert_eq!(row.get("i").and_then(Value::as_i64), Some(1));
    assert_eq!(row.get("r").and_then(Value::as_f64), Some(2.5));
    assert_eq!(row.get("t").and_then(Value::as_str), Some("a\"b\\c"));
    assert_eq!(row.get("n"), Some(&Value::Null));
    assert_eq!(row.get("b").and_then(Value::as_str), Some("00FF"));
    assert!(answer.artifact_text().contains("\"inf\":9e999"), "{}", answer.artifact_text());
}

#[test]
fn sqlite_gives_a_database_with_the_table_result() {
    let orders = data("orders.csv");
    let answer = sql(&[("query", SUMMARY), ("format", "sqlite")], &[input("orders", "/orders.csv", &orders)]);
    assert!(answer.artifact_file().ends_with("result.sqlite"));
    assert_eq!(answer.parameter(), SUMMARY_CSV);
    let folder = answer.artifact_file().parent().unwrap();
    let read = sqlite3(folder, &["-csv", "-header", "result.sqlite", "SELECT * FROM result"]).unwrap();
    assert_eq!(read, SUMMARY_CSV);
    let types = sqlite3(folder, &["result.sqlite", "SELECT group_concat(typeof(total)) FROM result"]).unwrap();
    assert_eq!(types, "real,real,real,real\n");
    // Duplicate result names become distinct columns, as in a CSV import.
    let answer = sql(&[("query", "SELECT 1 AS a, 2 AS a"), ("format", "sqlite")], &[]);
    let folder = answer.artifact_file().parent().unwrap();
    let read = sqlite3(folder, &["-csv", "-header", "result.sqlite", "SELECT * FROM result"]).unwrap();
    assert_eq!(read, "a_1,a_2\n1,2\n");
}

#[test]
fn the_last_statement_that_returns_rows_is_the_result() {
    let answer = sql(
        &[(
            "query",
            "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);\n\
             SELECT 'ignored';\n\
             SELECT sum(x) AS total FROM t;\n\
             DROP TABLE t; -- statements without rows after it change nothing",
        )],
        &[],
    );
    assert_eq!(answer.parameter(), "total\n6\n");
    assert_eq!(answer.artifact_text(), "total\n6\n");
    assert_eq!(answer.node.message, "the query returned 1 row");
    let none = sql(&[("query", "CREATE TABLE t(x); INSERT INTO t VALUES (1)")], &[]);
    assert_eq!(none.parameter(), "");
    assert_eq!(none.artifact_text(), "");
    assert_eq!(none.node.message, "2 statements ran; none returned rows");
    let empty = sql(&[("query", "SELECT 1 AS a WHERE 0")], &[]);
    assert_eq!(empty.parameter(), "a\n", "no rows: the header alone");
}

#[test]
fn a_large_result_is_only_in_the_artifact() {
    let answer = sql(
        &[(
            "query",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 20000) SELECT i, 'row ' || i FROM n",
        )],
        &[],
    );
    assert_eq!(answer.node.outputs.parameters.len(), 0, "{:?}", answer.node.message);
    assert_eq!(
        answer.node.message,
        "the query returned 20000 rows; the result is larger than 64 KiB as CSV, so only the artifact \"result\" holds it"
    );
    let text = answer.artifact_text();
    assert_eq!(text.lines().count(), 20001);
    assert!(text.ends_with("20000,\"row 20000\"\n"));
}

#[test]
fn the_component_gives_what_the_core_module_gives() {
    let orders = data("orders.csv");
    let customers = data("customers.json");
    let inputs = [input("orders", "/orders.csv", &orders), input("customers", "/customers.json", &customers)];
    let query = "SELECT tier, sum(amount) FROM orders JOIN customers USING (customer) GROUP BY 1 ORDER BY 1";
    for format in ["csv", "json", "ndjson"] {
        let core = sql_with(WasmTarget::Wasip1, &[("query", query), ("format", format)], &inputs, None);
        let component = sql_with(WasmTarget::Wasip2, &[("query", query), ("format", format)], &inputs, None);
        assert_eq!(core.artifact(), component.artifact(), "{format}");
        assert_eq!(core.parameter(), component.parameter());
    }
    let failed = sql_with(WasmTarget::Wasip2, &[("query", "SELECT nope FROM orders")], &inputs, None);
    assert_eq!(
        failed.failure(),
        "parameter \"query\": statement 1 (line 1): no such column: nope (at line 1, column 8)"
    );
}
