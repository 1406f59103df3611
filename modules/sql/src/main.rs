fn main() {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    let v: String = c.query_row("select sqlite_version() || ' ' || sqrt(2)", [], |r| r.get(0)).unwrap();
    println!("{v}");
    std::fs::create_dir_all("/tmp/x").ok();
    let d = rusqlite::Connection::open("/tmp/x/t.db").unwrap();
    d.execute_batch("create table if not exists t(a); insert into t values (1),(2);").unwrap();
    let n: i64 = d.query_row("select count(*) from t", [], |r| r.get(0)).unwrap();
    println!("{n}");
}
