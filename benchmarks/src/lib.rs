//! What the benchmark programs (`src/bin/`) share.

pub mod median;
pub mod random;
pub mod wrk;
