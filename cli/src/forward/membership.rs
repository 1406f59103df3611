//! The workers of a pool: given once (`--forward-to URL`, repeatable), or
//! the addresses a headless Service's name resolves to
//! (`--forward-to-dns NAME:PORT`), resolved again every [`REFRESH`].

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often a Service's name is resolved again.
pub const REFRESH: Duration = Duration::from_secs(3);

/// Where the workers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerSource {
    /// These addresses, for good.
    Fixed(Vec<SocketAddr>),
    /// The addresses `NAME:PORT` resolves to, again and again.
    Dns(String),
}

/// The workers known now.
#[derive(Debug, Clone)]
pub struct Membership {
    workers: Arc<RwLock<Vec<SocketAddr>>>,
    source: WorkerSource,
}

impl Membership {
    /// The workers from `source`; a DNS name is resolved once now (an
    /// empty answer is not an error: the pool may be scaling up).
    pub async fn new(source: WorkerSource) -> Membership {
        let workers = match &source {
            WorkerSource::Fixed(workers) => workers.clone(),
            WorkerSource::Dns(name) => resolve(name).await,
        };
        Membership { workers: Arc::new(RwLock::new(sorted(workers))), source }
    }

    /// The workers now.
    pub fn workers(&self) -> Vec<SocketAddr> {
        self.workers.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether `worker` is among them.
    pub fn contains(&self, worker: &SocketAddr) -> bool {
        self.workers.read().unwrap_or_else(|p| p.into_inner()).contains(worker)
    }

    /// Keeps resolving a DNS source every [`REFRESH`] (for a fixed list, returns at once).
    pub async fn keep_resolving(self) {
        let WorkerSource::Dns(name) = &self.source else { return };
        loop {
            tokio::time::sleep(REFRESH).await;
            let found = sorted(resolve(name).await);
            let mut workers = self.workers.write().unwrap_or_else(|p| p.into_inner());
            if *workers != found {
                tracing::info!("workers of {name}: {}", list(&found));
                *workers = found;
            }
        }
    }
}

fn sorted(mut workers: Vec<SocketAddr>) -> Vec<SocketAddr> {
    workers.sort_unstable();
    workers.dedup();
    workers
}

/// The addresses `name` (`HOST:PORT`) resolves to; none if it does not.
async fn resolve(name: &str) -> Vec<SocketAddr> {
    match tokio::net::lookup_host(name).await {
        Ok(addresses) => addresses.collect(),
        Err(error) => {
            tracing::warn!("cannot resolve {name}: {error}");
            Vec::new()
        }
    }
}

/// `a, b, c`, or `none`.
pub fn list(workers: &[SocketAddr]) -> String {
    if workers.is_empty() {
        return "none".into();
    }
    workers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The worker a `--forward-to` URL names (`http://HOST:PORT`, path ignored).
pub fn parse_worker_url(url: &str) -> Result<SocketAddr, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--forward-to {url}: workers are reached at http://HOST:PORT"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    use std::net::ToSocketAddrs;
    authority
        .to_socket_addrs()
        .map_err(|e| format!("--forward-to {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("--forward-to {url}: it resolves to no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_urls_are_read_as_addresses() {
        assert_eq!(parse_worker_url("http://127.0.0.1:9276").unwrap(), SocketAddr::from(([127, 0, 0, 1], 9276)));
        assert_eq!(parse_worker_url("http://127.0.0.1:80/ignored").unwrap().port(), 80);
        assert!(parse_worker_url("https://127.0.0.1:9276").unwrap_err().contains("http://HOST:PORT"));
        assert!(parse_worker_url("http://127.0.0.1").is_err(), "the port is needed");
    }

    #[tokio::test]
    async fn a_name_resolves_to_its_addresses_and_a_bad_one_to_none_without_failing() {
        let found = Membership::new(WorkerSource::Dns("localhost:9276".into())).await;
        assert!(found.workers().iter().all(|w| w.port() == 9276 && w.ip().is_loopback()), "{:?}", found.workers());
        // (No name that needs a DNS server: tests stay on loopback.)
        let none = Membership::new(WorkerSource::Dns("localhost:no-port".into())).await;
        assert!(none.workers().is_empty());
    }
}
