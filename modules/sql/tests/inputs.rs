//! Each input format through the module's `.wasm`: CSV (types inferred or
//! all TEXT, other delimiters and quotes, TSV), JSON, NDJSON, a SQLite
//! database attached read-only, and the format from a parameter or the
//! file's first bytes when the extension does not say.

mod support;

use support::{data, input, sql, sql_invoked, sql_with, sqlite3};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::invocation;

#[test]
fn csv_columns_get_inferred_types_and_empty_numbers_are_null() {
    let orders = data("orders.csv");
    let answer = sql(
        &[(
            "query",
            "SELECT name, type FROM pragma_table_info('orders') ORDER BY cid; \
             SELECT typeof(order_id), typeof(amount), count(*), sum(amount IS NULL) FROM orders GROUP BY 1, 2",
        )],
        &[input("orders", "/orders.csv", &orders)],
    );
    assert_eq!(
        answer.parameter(),
        "typeof(order_id),typeof(amount),count(*),\"sum(amount IS NULL)\"\ninteger,null,1,1\ninteger,real,9,0\n"
    );
    let schema = sql(
        &[("query", "SELECT name || ' ' || type FROM pragma_table_info('orders') ORDER BY cid")],
        &[input("orders", "/orders.csv", &orders)],
    );
    assert_eq!(
        schema.parameter(),
        "\"name || ' ' || type\"\n\"order_id INTEGER\"\n\"customer TEXT\"\n\"region TEXT\"\n\"amount REAL\"\n\"shipped TEXT\"\n\"note TEXT\"\n"
    );
}

#[test]
fn a_csv_whose_records_do_not_fit_in_memory_is_read_a_second_time() {
    // 400,000 records of 50 one-digit fields, 40 MB: kept in memory between
    // inferring the types and inserting (a byte and a 4-byte offset a field)
    // they would take 100 MB, past the step's 64 MiB, so the module reads
    // the CSV again to insert; the table (SQLite stores 0 and 1 in no bytes
    // but its header's) fits.
    let columns: Vec<String> = (0..50).map(|i| format!("a{i}")).collect();
    let mut csv = columns.join(",") + "\n";
    for row in 0..400_000 {
        let fields: Vec<&str> = (0..50).map(|i| if (row + i) % 3 == 0 { "1" } else { "0" }).collect();
        csv.push_str(&fields.join(","));
        csv.push('\n');
    }
    let answer = sql_with(
        WasmTarget::Wasip1,
        &[("query", "SELECT count(*), sum(a0), sum(a49), typeof(a7) FROM t")],
        &[input("t", "/t.csv", csv.as_bytes())],
        Some(64),
    );
    // a0 is 1 in every third row from the first; a49 where (row + 49) % 3 == 0, from row 2.
    assert_eq!(answer.parameter(), "count(*),sum(a0),sum(a49),typeof(a7)\n400000,133334,133333,integer\n");
    assert!(
        answer.node.message.contains("(from table \"t\" (400000 rows, 50 columns, from CSV))"),
        "{}",
        answer.node.message
    );
}

#[test]
fn csv_quoted_fields_keep_delimiters_quotes_and_line_breaks() {
    let orders = data("orders.csv");
    let answer = sql(
        &[("query", "SELECT order_id, note FROM orders WHERE note <> '' ORDER BY order_id")],
        &[input("orders", "/orders.csv", &orders)],
    );
    assert_eq!(
        answer.parameter(),
        "order_id,note\n1002,\"gift, wrapped\"\n1003,\"said \"\"urgent\"\"\"\n1005,\"amount unknown\"\n1006,\"two\nlines\"\n1009,\"café\"\n"
    );
}

#[test]
fn types_text_makes_every_column_text_as_sqlite3_import_does() {
    let answer = sql(
        &[("query", "SELECT typeof(a), typeof(b), a < 9 FROM t"), ("types", "text")],
        &[input("t", "/t.csv", b"a,b\n10,x\n,y\n")],
    );
    // TEXT affinity: '10' < 9 compares as text ('10' < '9').
    assert_eq!(answer.parameter(), "typeof(a),typeof(b),\"a < 9\"\ntext,text,1\ntext,text,1\n");
}

#[test]
fn header_false_reads_the_first_record_as_data_in_columns_c0_c1() {
    // An empty TEXT value is '' (printed as ""), an empty number NULL.
    let csv: &[u8] = b"1,x,2.5\n2,,\n";
    for types in ["infer", "text"] {
        let answer = sql(
            &[
                ("query", "SELECT c0, c1, c2, typeof(c0), typeof(c2) FROM t ORDER BY c0"),
                ("header", "false"),
                ("types", types),
            ],
            &[input("t", "/t.csv", csv)],
        );
        let expected = if types == "infer" {
            "c0,c1,c2,typeof(c0),typeof(c2)\n1,x,2.5,integer,real\n2,\"\",,integer,null\n"
        } else {
            "c0,c1,c2,typeof(c0),typeof(c2)\n1,x,2.5,text,text\n2,\"\",\"\",text,text\n"
        };
        assert_eq!(answer.parameter(), expected, "{types}");
    }
    let empty = sql(&[("query", "SELECT 1"), ("header", "false")], &[input("t", "/t.csv", b"")]);
    assert_eq!(empty.failure(), "input artifact \"t\": the CSV is empty: expected at least one record");
    let wrong = sql(&[("query", "SELECT 1"), ("header", "maybe")], &[]);
    assert!(wrong.failure().contains("header"), "{}", wrong.failure());
}

#[test]
fn delimiter_quote_and_tsv() {
    let semicolons = sql(
        &[("query", "SELECT * FROM t"), ("delimiter", ";"), ("quote", "'")],
        &[input("t", "/t.csv", b"name;city\n'Smith; J';'O''Brien town'\n")],
    );
    assert_eq!(semicolons.parameter(), "name,city\n\"Smith; J\",\"O'Brien town\"\n");
    let tabs = sql(&[("query", "SELECT b, a + 1 FROM t")], &[input("t", "/t.tsv", b"a\tb\n1\tx,y\n")]);
    assert_eq!(tabs.parameter(), "b,\"a + 1\"\n\"x,y\",2\n");
    let tab_parameter = sql(
        &[("query", "SELECT * FROM t"), ("delimiter", "\\t"), ("quote", "")],
        &[input("t", "/t.csv", b"a\tb\n\"1\t2\"\n")],
    );
    assert_eq!(tab_parameter.parameter(), "a,b\n\"\"\"1\",\"2\"\"\"\n");
}

#[test]
fn header_names_are_made_unique_as_sqlite3_import_makes_them() {
    let answer = sql(&[("query", "SELECT * FROM t")], &[input("t", "/t.csv", b"id,name,,NAME\n1,a,b,c\n")]);
    assert_eq!(answer.parameter(), "id,name_2,?,NAME_4\n1,a,b,c\n");
}

#[test]
fn json_array_of_objects_keeps_value_types() {
    let customers = data("customers.json");
    let answer = sql(
        &[("query", "SELECT customer, typeof(since), since, tier, tags, active FROM customers ORDER BY customer")],
        &[input("customers", "/customers.json", &customers)],
    );
    assert_eq!(
        answer.parameter(),
        "customer,typeof(since),since,tier,tags,active\n\
         alice,integer,2019,gold,,\n\
         bob,integer,2021,silver,,\n\
         carol,integer,2020,gold,\"[\"\"vip\"\",\"\"early\"\"]\",\n\
         dave,integer,2024,,,\n\
         erin,integer,2022,bronze,,0\n\
         frank,real,2023.5,silver,,\n"
    );
    let nested = sql(
        &[("query", "SELECT json_extract(tags, '$[0]') FROM customers WHERE tags IS NOT NULL")],
        &[input("customers", "/customers.json", &customers)],
    );
    assert_eq!(nested.parameter(), "\"json_extract(tags, '$[0]')\"\nvip\n");
}

#[test]
fn ndjson_lines_become_rows_and_blank_lines_are_skipped() {
    let events = data("events.ndjson");
    let answer = sql(
        &[("query", "SELECT order_id, event, by, json_extract(reason, '$.code') AS code FROM events ORDER BY at")],
        &[input("events", "/events.ndjson", &events)],
    );
    assert_eq!(
        answer.parameter(),
        "order_id,event,by,code\n1001,created,,\n1002,created,,\n1003,created,phone,\n1001,shipped,,\n1007,cancelled,,7\n"
    );
}

#[test]
fn tables_from_several_artifacts_join() {
    let (orders, customers, events) = (data("orders.csv"), data("customers.json"), data("events.ndjson"));
    let answer = sql(
        &[(
            "query",
            "SELECT c.tier, count(DISTINCT o.order_id) AS orders, sum(e.event = 'created') AS created \
             FROM orders o JOIN customers c USING (customer) LEFT JOIN events e USING (order_id) \
             WHERE c.tier IS NOT NULL GROUP BY c.tier ORDER BY c.tier",
        )],
        &[
            input("orders", "/orders.csv", &orders),
            input("customers", "/customers.json", &customers),
            input("events", "/events.ndjson", &events),
        ],
    );
    assert_eq!(
        answer.parameter(),
        "tier,orders,created\nbronze,1,\ngold,4,2\nsilver,3,1\n",
        "a sum of only NULLs is NULL"
    );
}

#[test]
fn the_format_comes_from_a_parameter_or_the_first_bytes() {
    let json = sql(&[("query", "SELECT a FROM t")], &[input("t", "/data", b"  [{\"a\": 1}]")]);
    assert_eq!(json.parameter(), "a\n1\n");
    let ndjson = sql(&[("query", "SELECT a FROM t")], &[input("t", "/data", b"{\"a\": 2}\n{\"a\": 3}\n")]);
    assert_eq!(ndjson.parameter(), "a\n2\n3\n");
    let csv = sql(&[("query", "SELECT a FROM t")], &[input("t", "/data", b"a\n4\n")]);
    assert_eq!(csv.parameter(), "a\n4\n");
    let forced =
        sql(&[("query", "SELECT a FROM t"), ("input_format", "ndjson")], &[input("t", "/t.json", b"{\"a\": 5}\n")]);
    assert_eq!(forced.parameter(), "a\n5\n");
}

#[test]
fn a_database_artifact_is_attached_read_only_under_its_name() {
    let folder = tempfile::tempdir().unwrap();
    sqlite3(
        folder.path(),
        &["shop.db", "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price REAL); INSERT INTO items VALUES (1, 'pen', 1.5), (2, 'ink', 7);"],
    )
    .unwrap();
    let db = std::fs::read(folder.path().join("shop.db")).unwrap();
    let orders = data("orders.csv");
    let answer = sql(
        &[("query", "SELECT name, price FROM shop.items ORDER BY id; SELECT count(*) FROM items, orders")],
        &[input("shop", "/shop.db", &db), input("orders", "/orders.csv", &orders)],
    );
    assert_eq!(answer.parameter(), "count(*)\n20\n");
    // Found by its first bytes, whatever the extension.
    let sniffed = sql(&[("query", "SELECT group_concat(name) FROM items")], &[input("shop", "/shop.bin", &db)]);
    assert_eq!(sniffed.parameter(), "group_concat(name)\n\"pen,ink\"\n");
    let write = sql(&[("query", "DELETE FROM shop.items")], &[input("shop", "/shop.db", &db)]);
    assert_eq!(write.failure(), "parameter \"query\": statement 1 (line 1): attempt to write a readonly database");
}

// An optional input artifact that was not given is listed in the template
// but has no file: Argo's executor skips it ("Ignoring optional artifact
// which was not supplied", "Skipping optional input artifact that was not
// found": workflow/executor/executor.go 272-276 and 334-336 at f016ad8).
// It is simply not there: no table, and the other artifacts work as ever.
#[test]
fn an_optional_artifact_that_was_not_given_is_no_table() {
    let orders = data("orders.csv");
    let listed = |query: &str| {
        invocation(&[("query", query)]).with_artifact("returns", "/returns.csv").with_artifact("shop", "/shop.db")
    };
    let answer = sql_invoked(
        WasmTarget::Wasip1,
        listed(
            "SELECT count(*) AS orders, (SELECT count(*) FROM sqlite_schema WHERE name = 'returns') AS returns FROM orders",
        ),
        &[input("orders", "/orders.csv", &orders)],
        None,
    );
    assert_eq!(answer.parameter(), "orders,returns\n10,0\n");
    assert_eq!(
        answer.node.message,
        "the query returned 1 row (from table \"orders\" (10 rows, 6 columns, from CSV)); \
         optional input artifacts not given: \"returns\", \"shop\""
    );
    // A query that needs it fails with SQLite's message, and says why.
    let failed = sql_invoked(WasmTarget::Wasip1, listed("SELECT * FROM returns"), &[], None);
    assert_eq!(
        failed.failure(),
        "parameter \"query\": statement 1 (line 1): no such table: returns \
         (input artifact \"returns\" is optional and was not given)"
    );
    // With no artifact at all, a query that needs none still runs.
    let none = sql_invoked(WasmTarget::Wasip1, listed("SELECT 1 AS one"), &[], None);
    assert_eq!(none.parameter(), "one\n1\n");
}
