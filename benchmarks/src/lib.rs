//! What the benchmark programs (`src/bin/`) share.

pub mod random;
pub mod wrk;
