//! A component's `wasi:http` response bodies, counted in its step's memory
//! budget (`--max-memory`) as the legacy ABI's are: the frame the host
//! holds for the module, from when it arrives until the module has read it,
//! counts in the step's [`MemoryAccount`]. A frame that would pass the
//! budget ends the body with an error that names it (the module sees its
//! read fail), and the step's ending says the module ran out of memory.
//!
//! `wasmtime-wasi-http` asks a body for its next frame only once the module
//! has read the last one whole (or dropped it), so the frame handed out
//! before is given back when the next is asked for, and when the body is
//! dropped.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use wasmtime_wasi_http::WasiBody;

use super::limits::MemoryAccount;

/// A response body whose frames count in a step's memory account.
pub(crate) struct CountedBody {
    inner: WasiBody,
    account: Arc<MemoryAccount>,
    /// The bytes of the frame handed out last, counted until the next is asked for.
    held: usize,
}

impl CountedBody {
    /// `inner`, its frames counted in `account`.
    pub(crate) fn new(inner: WasiBody, account: Arc<MemoryAccount>) -> CountedBody {
        CountedBody { inner, account, held: 0 }
    }
}

impl Body for CountedBody {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        this.account.release(std::mem::take(&mut this.held));
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let bytes = frame.data_ref().map_or(0, Bytes::len);
                if !this.account.reserve(bytes) {
                    return Poll::Ready(Some(Err(wasmtime_wasi_http::Error::InternalError(Some(format!(
                        "the response body passes the step's memory limit of {} MiB (--max-memory)",
                        this.account.max_mib()
                    ))))));
                }
                this.held = bytes;
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for CountedBody {
    fn drop(&mut self) {
        self.account.release(self.held);
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::{BodyExt, StreamBody};

    use super::*;
    use crate::runner::limits::{LimitHit, StepLimiter};

    /// A body of these frames.
    fn body(frames: &[usize]) -> WasiBody {
        let frames: Vec<Result<Frame<Bytes>, wasmtime_wasi_http::Error>> =
            frames.iter().map(|&size| Ok(Frame::data(Bytes::from(vec![b'x'; size])))).collect();
        StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
    }

    #[tokio::test]
    async fn a_frame_counts_until_the_next_is_asked_for() {
        let limiter = StepLimiter::new(Some(1));
        let mut one = CountedBody::new(body(&[600 << 10, 600 << 10]), limiter.account());
        let mut other = CountedBody::new(body(&[600 << 10]), limiter.account());
        assert_eq!(one.frame().await.unwrap().unwrap().into_data().unwrap().len(), 600 << 10);
        let refused = other.frame().await.unwrap().unwrap_err();
        assert!(format!("{refused:?}").contains("memory limit of 1 MiB (--max-memory)"), "{refused:?}");
        assert_eq!(limiter.hit(), Some(LimitHit::Memory));
        // Read one's first frame whole: its second takes its place.
        assert!(one.frame().await.unwrap().is_ok());
        assert!(one.frame().await.is_none());
        drop(one);
        let mut again = CountedBody::new(body(&[1 << 20]), limiter.account());
        assert!(again.frame().await.unwrap().is_ok(), "every frame was given back");
    }
}
