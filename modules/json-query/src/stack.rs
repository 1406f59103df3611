//! How much of the module's stack is left: recursive definitions (the
//! program's, wrapped by src/syntax.rs, and `recurse`, `repeat`, `while`,
//! `until` of src/prelude.jq) call `_stack_guard`, which fails with a
//! message when less than `RESERVE` is left, before a deeper call would
//! overflow the stack and trap the module.
//!
//! In wasm the stack is the first 16 MiB of linear memory (build.rs), and
//! it grows down towards address 0: the address of a local variable is
//! what is left. A native build (the unit tests) does not check.

use crate::value::Error;

/// What must stay free below the last check: for the natives and jaq's
/// own calls (values nested 10,000 levels are compared and written
/// recursively), and for a filter argument passed down through every
/// level (`def f(g): g | f(g)`), whose call goes back through all of them.
#[cfg(target_family = "wasm")]
const RESERVE: usize = 10 << 20;

/// Fails when less than [`RESERVE`] of the stack is left.
#[cfg(target_family = "wasm")]
pub fn guard() -> Result<(), Error> {
    let marker = 0u8;
    let left = std::hint::black_box(&marker) as *const u8 as usize;
    if crate::memory::failed() {
        return Err(crate::value::error("an array too large for the module's memory was cut short"));
    }
    if left < RESERVE {
        return Err(crate::value::error("Recursion too deep: the program's calls nest past the module's stack"));
    }
    Ok(())
}

/// A native build does not check.
#[cfg(not(target_family = "wasm"))]
pub fn guard() -> Result<(), Error> {
    Ok(())
}
