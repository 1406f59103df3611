//! What the benchmark programs (`src/bin/`) share.

pub mod wrk;
