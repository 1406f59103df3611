//! The module against the real `sqlite3` shell (Debian's, installed by
//! scripts/setup.sh) on the same CSV files and queries.
//!
//! - With `types: text` the module makes the tables `.import --csv` makes
//!   (every column TEXT): `sqlite3 -csv -header` after `.import` must print
//!   the module's CSV byte for byte.
//! - With the default `types: infer`, the reference table is created with
//!   the types the module declared, filled by `.import --csv --skip 1`, and
//!   empty fields of its numeric columns set to NULL (what the module does):
//!   again byte for byte.
//! - The JSON output is compared with `sqlite3 -json`'s as JSON values
//!   (numbers by value: the shell writes 20 digits of a REAL, the module the
//!   fewest that give the same double).
//!
//! A query with no rows is the one place they differ: the shell prints
//! nothing, the module the header (so the file still has its columns).

mod support;

use std::path::Path;

use support::{data, input, sql, sqlite3};
use wasm_workflows_sdk::json::{self, Value};

/// Queries on table `orders` (tests/data/orders.csv).
const ORDER_QUERIES: &[&str] = &[
    "SELECT * FROM orders",
    "SELECT * FROM orders WHERE amount > 100 ORDER BY amount DESC",
    "SELECT region, count(*), sum(amount), avg(amount), min(amount), max(amount), total(amount) FROM orders GROUP BY region ORDER BY region",
    "SELECT customer, group_concat(order_id, ';') FROM (SELECT * FROM orders ORDER BY order_id) GROUP BY customer ORDER BY 1",
    "SELECT upper(customer), length(note), substr(note, 2, 4), replace(note, ' ', '_'), trim(' ' || region || ' ') FROM orders ORDER BY order_id",
    "SELECT order_id, coalesce(shipped, 'none'), nullif(shipped, ''), ifnull(amount, -1), amount IS NULL FROM orders ORDER BY 1",
    "SELECT order_id, date(shipped, '+1 day'), strftime('%Y/%m/%d %w', shipped), julianday(shipped) - julianday('2026-11-01') FROM orders WHERE shipped <> '' ORDER BY 1",
    "SELECT order_id, amount * 1.1, amount / 3, round(amount / 7, 3), abs(-amount), CAST(amount AS INTEGER), amount % 7 FROM orders ORDER BY 1",
    "SELECT order_id, row_number() OVER (PARTITION BY region ORDER BY amount), rank() OVER (ORDER BY customer), sum(amount) OVER (ORDER BY order_id ROWS 2 PRECEDING) FROM orders ORDER BY 1",
    "SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.customer = b.customer AND a.order_id < b.order_id ORDER BY 1, 2",
    "SELECT DISTINCT region FROM orders UNION SELECT 'nowhere' EXCEPT SELECT 'west' ORDER BY 1",
    "SELECT customer FROM orders WHERE customer LIKE '_a%' OR customer GLOB 'e*' ORDER BY 1",
    "SELECT CASE WHEN amount >= 100 THEN 'big' WHEN amount IS NULL THEN NULL ELSE 'small' END AS size, count(*) FROM orders GROUP BY size ORDER BY size",
    "SELECT json_object('id', order_id, 'amount', amount), json_group_array(customer) OVER () FROM orders WHERE order_id < 1004 ORDER BY order_id",
    "SELECT quote(note), hex(customer), typeof(note), instr(note, 'u'), printf('%08.2f|%-6s|%d', amount, region, order_id) FROM orders ORDER BY order_id",
    "SELECT sqrt(amount), power(2, 10), floor(amount), ceil(amount), ln(amount + 1) FROM orders WHERE amount IS NOT NULL ORDER BY order_id",
    "SELECT 0.1 + 0.2, 1 / 3.0, 1e300 * 10, 2.5e-7, 123456789.123456789, 100.0, -0.0, 9223372036854775807, 9223372036854775807 + 1",
    "WITH RECURSIVE days(d) AS (SELECT '2026-11-01' UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < '2026-11-10') SELECT d, count(order_id) FROM days LEFT JOIN orders ON shipped = d GROUP BY d ORDER BY d",
    "SELECT region, (SELECT max(amount) FROM orders o2 WHERE o2.region = o1.region) FROM orders o1 GROUP BY region HAVING count(*) > 1 ORDER BY 1",
    "SELECT * FROM orders WHERE 0",
    "SELECT 'it''s', '', NULL, ' lead', 'tab\tin', 'x\"y', 'naïve', char(127), 'a,b'",
];

/// Queries on the generated table `g`.
const GENERATED_QUERIES: &[&str] = &[
    "SELECT * FROM g ORDER BY id",
    "SELECT category, count(*), sum(qty), round(avg(value), 6), max(label) FROM g GROUP BY category ORDER BY category",
    "SELECT qty, count(*) FROM g GROUP BY qty ORDER BY qty",
    "SELECT id, value FROM g WHERE value BETWEEN -10 AND 10 ORDER BY value, id",
    "SELECT typeof(value), typeof(qty), count(*) FROM g GROUP BY 1, 2 ORDER BY 1, 2",
    "SELECT category, sum(value * qty) FILTER (WHERE qty > 3) FROM g GROUP BY 1 ORDER BY 1",
];

/// A deterministic table of `rows` rows: integers, decimals (some with
/// exponents), empty fields, and text that needs quoting.
fn generated_csv(rows: u64) -> String {
    let categories = ["alpha", "beta, gamma", "\"quoted\"", "ünïcode", " spaced ", "tab\there"];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut csv = String::from("id,category,value,qty,label\n");
    for id in 1..=rows {
        let category = categories[(next() % 6) as usize];
        let value = match next() % 5 {
            0 => format!("{}", (next() % 100_000) as i64 - 50_000),
            1 => format!("{}.{:02}", (next() % 1000) as i64 - 500, next() % 100),
            2 => format!("{}e{}", next() % 90 + 1, (next() % 7) as i64 - 3),
            3 => format!("-{}.{}", next() % 10, next() % 1000),
            _ => format!("{:.6}", (next() % 1_000_000) as f64 / 7.0),
        };
        let qty = if next() % 7 == 0 { String::new() } else { (next() % 12).to_string() };
        let label = match next() % 4 {
            0 => format!("\"line one\nline {id}\""),
            1 => format!("\"say \"\"{id}\"\"\""),
            2 => String::new(),
            _ => format!("plain-{id}"),
        };
        let quoted_category = format!("\"{}\"", category.replace('"', "\"\""));
        csv.push_str(&format!("{id},{quoted_category},{value},{qty},{label}\n"));
    }
    csv
}

/// `sqlite3 -csv -header` (or `-json`) on `file` imported as `table` with
/// `.import`, into a table made first by `create` when given, then `query`.
fn reference(
    dir: &Path,
    file: &str,
    table: &str,
    create: Option<&str>,
    after: &str,
    query: &str,
    mode: &str,
) -> String {
    let import = match create {
        Some(_) => format!(".import --csv --skip 1 {file} {table}"),
        None => format!(".import --csv {file} {table}"),
    };
    let mut args = vec![mode, "-header", ":memory:"];
    if let Some(create) = create {
        args.push(create);
    }
    args.push(&import);
    if !after.is_empty() {
        args.push(after);
    }
    args.push(query);
    sqlite3(dir, &args).unwrap_or_else(|e| panic!("sqlite3 failed on {query}: {e}"))
}

/// The table the module made from `csv` (types inferred): its `CREATE
/// TABLE` and the `UPDATE` that turns the empty fields of its numeric
/// columns to NULL, for the reference.
fn inferred_schema(table: &str, path: &str, csv: &[u8]) -> (String, String) {
    let answer = sql(
        &[("query", &format!("SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid"))],
        &[input(table, path, csv)],
    );
    let mut columns = Vec::new();
    let mut nulls = Vec::new();
    for line in answer.parameter().lines().skip(1) {
        let (name, kind) = line.rsplit_once(',').unwrap();
        let name = name.trim_matches('"').replace("\"\"", "\"");
        columns.push(format!("\"{name}\" {kind}"));
        if kind == "INTEGER" || kind == "REAL" {
            nulls.push(format!("UPDATE {table} SET \"{name}\" = NULL WHERE \"{name}\" = '';"));
        }
    }
    (format!("CREATE TABLE {table}({});", columns.join(", ")), nulls.join(" "))
}

/// Whether two JSON values are the same, numbers compared by value: equal,
/// or within `tolerance` of each other (relative).
fn same(a: &Value, b: &Value, tolerance: f64) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= tolerance * x.abs().max(y.abs()),
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b, tolerance)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb, tolerance))
        }
        _ => a == b,
    }
}

/// How far the JSON numbers of `query` may be from the shell's. Exact,
/// except for sums of REALs: since SQLite 3.43, `sum`, `avg` and `total`
/// add REALs with compensation (Kahan-Babuska-Neumaier), so the module's
/// 3.50 gives the correctly rounded sum where the shell's 3.40 is a few
/// units off in the 17th digit (the CSV, with SQLite's 15 digits, agrees).
fn tolerance(query: &str) -> f64 {
    if ["sum(", "avg(", "total("].iter().any(|f| query.contains(f)) { 1e-13 } else { 0.0 }
}

/// Compares the module with sqlite3 on every query; returns the mismatches.
fn compare(table: &str, file_name: &str, csv: &[u8], queries: &[&str], types: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file_name), csv).unwrap();
    let (create, after) = if types == "infer" {
        let (create, after) = inferred_schema(table, &format!("/{file_name}"), csv);
        (Some(create), after)
    } else {
        (None, String::new())
    };
    let mut wrong = Vec::new();
    let path = format!("/{file_name}");
    for query in queries {
        let inputs = [input(table, &path, csv)];
        let module = sql(&[("query", query), ("types", types)], &inputs);
        let expected = reference(dir.path(), file_name, table, create.as_deref(), &after, query, "-csv");
        let got = module.artifact_text();
        let same_csv = if expected.is_empty() { got.lines().count() == 1 } else { got == expected };
        if !same_csv {
            wrong.push(format!("{types}: {query}\n--- sqlite3\n{expected}--- module\n{got}"));
        }
        if got.len() <= 64 * 1024 {
            assert_eq!(module.parameter(), got, "the parameter is the CSV artifact");
        }
        let expected_json = reference(dir.path(), file_name, table, create.as_deref(), &after, query, "-json");
        if expected_json.is_empty() {
            continue;
        }
        let module_json = sql(&[("query", query), ("types", types), ("format", "json")], &inputs).artifact_text();
        let (Ok(a), Ok(b)) = (json::parse(&expected_json), json::parse(&module_json)) else {
            wrong.push(format!(
                "{types} (json): {query}: not JSON\n--- sqlite3\n{expected_json}--- module\n{module_json}"
            ));
            continue;
        };
        if !same(&a, &b, tolerance(query)) {
            wrong.push(format!("{types} (json): {query}\n--- sqlite3\n{expected_json}--- module\n{module_json}"));
        }
    }
    wrong
}

#[test]
fn orders_csv_as_text_columns_gives_what_sqlite3_gives() {
    let wrong = compare("orders", "orders.csv", &data("orders.csv"), ORDER_QUERIES, "text");
    assert!(wrong.is_empty(), "{} of {} queries differ:\n{}", wrong.len(), ORDER_QUERIES.len(), wrong.join("\n"));
}

#[test]
fn orders_csv_with_inferred_types_gives_what_sqlite3_gives() {
    let wrong = compare("orders", "orders.csv", &data("orders.csv"), ORDER_QUERIES, "infer");
    assert!(wrong.is_empty(), "{} of {} queries differ:\n{}", wrong.len(), ORDER_QUERIES.len(), wrong.join("\n"));
}

#[test]
fn generated_csv_gives_what_sqlite3_gives() {
    let csv = generated_csv(2000);
    let mut wrong = compare("g", "g.csv", csv.as_bytes(), GENERATED_QUERIES, "text");
    wrong.extend(compare("g", "g.csv", csv.as_bytes(), GENERATED_QUERIES, "infer"));
    assert!(wrong.is_empty(), "{} queries differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// Sorts larger than the page cache (2 MB): SQLite sorts them in runs
/// written to temporary files (in memory: src/temp_files.rs), then merges.
#[test]
fn sorts_larger_than_the_cache_give_what_sqlite3_gives() {
    let csv = generated_csv(120_000);
    assert!(csv.len() > 4_000_000, "{} bytes", csv.len());
    let queries = [
        "SELECT label, id, category, value FROM g ORDER BY label DESC, id",
        "SELECT category, count(*), sum(qty), max(label), min(value) FROM g GROUP BY category ORDER BY category",
        "SELECT count(DISTINCT label), count(DISTINCT value || category) FROM g",
    ];
    let wrong = compare("g", "g.csv", csv.as_bytes(), &queries, "text");
    assert!(wrong.is_empty(), "{} queries differ:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn crlf_lines_and_a_byte_order_mark_read_as_sqlite3_reads_them() {
    let csv = b"\xEF\xBB\xBFid,name,,name\r\n1,\"a\r\nb\",\"\",x\r\n2,,\" \",y\r\n";
    let wrong = compare("t", "t.csv", csv, &["SELECT *, length(name_2), hex(\"?\") FROM t"], "text");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
