//! The files `new` writes, embedded at build time by `build.rs`: the
//! templates of `templates/`, and the SDK's sources with manifests that
//! stand alone.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
