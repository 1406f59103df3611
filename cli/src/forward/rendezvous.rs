//! Which worker a step goes to: rendezvous (highest random weight) hashing
//! of the step's key over the workers' addresses. Every front picks the same
//! worker for a key without talking to the others, and a worker that joins
//! or leaves moves only the keys it takes or held.
//!
//! The weight is fixed, so that fronts built by different compilers or
//! versions agree (Rust leaves `DefaultHasher`'s algorithm free to change):
//! `K = SHA-256(key)`, then for each worker
//! `weight = the first 8 bytes, big-endian, of SHA-256(K ‖ ADDRESS)`,
//! where ADDRESS is the worker's socket address as text (`10.0.0.1:9276`,
//! `[::1]:9276`). The highest weight ranks first; equal weights (never
//! seen) fall back to the address order.

use std::net::SocketAddr;

use sha2::{Digest, Sha256};

/// The workers in the order a step with `key` tries them: the first is its
/// own; the others take it when that one cannot (a new step only).
pub fn ranked(key: &[u8], workers: &[SocketAddr]) -> Vec<SocketAddr> {
    let key = Sha256::digest(key);
    let mut weighted: Vec<(u64, SocketAddr)> = workers.iter().map(|worker| (weight(&key, worker), *worker)).collect();
    weighted.sort_unstable_by(|a, b| b.cmp(a));
    weighted.into_iter().map(|(_, worker)| worker).collect()
}

/// The weight of `worker` for a key whose SHA-256 is `key` (see the module's comment).
fn weight(key: &[u8], worker: &SocketAddr) -> u64 {
    let digest = Sha256::new().chain_update(key).chain_update(worker.to_string().as_bytes()).finalize();
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workers(n: u16) -> Vec<SocketAddr> {
        (0..n).map(|i| SocketAddr::from(([10, 0, 0, i as u8 + 1], 9276))).collect()
    }

    fn owners(keys: &[Vec<u8>], workers: &[SocketAddr]) -> Vec<SocketAddr> {
        keys.iter().map(|key| ranked(key, workers)[0]).collect()
    }

    #[test]
    fn a_joining_or_leaving_worker_moves_only_its_share_of_keys() {
        let keys: Vec<Vec<u8>> = (0..3000u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let three = workers(3);
        let before = owners(&keys, &three);
        for worker in &three {
            let share = before.iter().filter(|owner| *owner == worker).count();
            assert!((800..1200).contains(&share), "{worker} has {share} of 3000 keys");
        }
        let four = workers(4);
        let after = owners(&keys, &four);
        let moved: Vec<usize> = (0..keys.len()).filter(|&i| before[i] != after[i]).collect();
        assert!(moved.iter().all(|&i| after[i] == four[3]), "a key moved to another old worker");
        assert!((600..900).contains(&moved.len()), "{} keys moved to the new worker", moved.len());

        let two: Vec<SocketAddr> = three.iter().copied().filter(|w| *w != three[1]).collect();
        let after = owners(&keys, &two);
        for i in 0..keys.len() {
            if before[i] != three[1] {
                assert_eq!(after[i], before[i], "a key of a worker that stayed moved");
            }
        }
    }

    /// Computed apart from this code: Python's
    /// `int.from_bytes(sha256(sha256(b"step").digest() + ADDRESS).digest()[:8], "big")`.
    #[test]
    fn the_weights_are_the_documented_ones() {
        let key = Sha256::digest(b"step");
        assert_eq!(weight(&key, &"10.0.0.1:9276".parse().unwrap()), 9151889237667066024);
        assert_eq!(weight(&key, &"[::1]:9276".parse().unwrap()), 7710549418707052061);
        let both: Vec<SocketAddr> = vec!["[::1]:9276".parse().unwrap(), "10.0.0.1:9276".parse().unwrap()];
        assert_eq!(ranked(b"step", &both), vec![both[1], both[0]]);
    }

    #[test]
    fn the_order_does_not_depend_on_how_workers_are_listed() {
        let mut workers = workers(5);
        let key = b"step";
        let first = ranked(key, &workers);
        workers.reverse();
        assert_eq!(ranked(key, &workers), first);
        assert_eq!(first.len(), 5);
    }
}
