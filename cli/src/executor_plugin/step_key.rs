//! A step's identity. Argo sends no node id: a step is known by its
//! request, which Argo sends byte for byte again for a node's later calls
//! (after a `Running` answer with `requeue`).

use sha2::{Digest, Sha256};

/// A step's identity: the SHA-256 of its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepKey([u8; 32]);

impl StepKey {
    /// The key of the step a request body asks for.
    pub fn of(body: &[u8]) -> StepKey {
        StepKey(Sha256::digest(body).into())
    }

    /// The key's bytes.
    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }
}
