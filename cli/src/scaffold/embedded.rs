//! The files `new` writes, embedded at build time by `build.rs` from the
//! list `carried-files.txt`: the templates of `templates/`, the component
//! world of `wit/`, and the SDK's sources with manifests that stand alone.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
