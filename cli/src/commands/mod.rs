//! The subcommands: each file parses its flags and calls the library.

pub(crate) mod pull;
pub(crate) mod push;
mod registry_args;
pub(crate) mod run;
pub(crate) mod serve;
