//! Property tests of the parsers that read untrusted input, run on stable
//! by `cargo test` for a bounded number of cases each (`PROPTEST_CASES`
//! raises it). The tests are in `tests/`; this crate has no code of its own.
