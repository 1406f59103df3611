//! The module's WebAssembly stack: jq lets values nest 10,000 levels deep
//! (parsing, printing, comparing, `setpath`, `flatten` on them recurse), far
//! past the 1 MiB stack Rust links into wasm by default. 16 MiB of the
//! module's linear memory holds it; a native build keeps the platform's.

fn main() {
    let target = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if target == "wasm32" {
        println!("cargo:rustc-link-arg-bins=-zstack-size=16777216");
    }
}
