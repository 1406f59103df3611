//! A deterministic pseudo-random sequence for the benchmarks' generated
//! documents, so every run measures the same input.

/// A 64-bit linear congruential generator (Knuth's constants).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `below`.
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}
