//! Nothing here: `tests/examples.rs` builds every example of `examples/`
//! for wasm and runs it in wasmtime as the host would.
