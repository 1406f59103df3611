//! Arrays that do not fit in the module's memory: `[f]` collects through
//! `FromIterator`, which cannot fail, so a collection that cannot grow
//! (the host's memory limit, or more than the 32-bit address space can
//! hold) stops there and leaves its reason here; the run then fails with
//! it (src/query.rs), and the stack guard (src/stack.rs) stops a program
//! that goes on. Without this, the growth would abort the module.

use std::cell::RefCell;

thread_local! {
    static TOO_LARGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The values of `items` in a vector, or as many as fit, with the reason
/// left for [`take_failure`].
pub fn collect<T>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let items = items.into_iter();
    let mut out = Vec::new();
    if out.try_reserve(items.size_hint().0.min(1 << 16)).is_err() {
        fail(0);
        return out;
    }
    for item in items {
        if out.len() == out.capacity() && out.try_reserve(1).is_err() {
            fail(out.len());
            break;
        }
        out.push(item);
    }
    out
}

fn fail(len: usize) {
    let message = format!("an array of more than {len} values does not fit in the module's memory");
    TOO_LARGE.with(|f| {
        f.borrow_mut().get_or_insert(message);
    });
}

/// Why a collection stopped short since the last call, if one did.
pub fn take_failure() -> Option<String> {
    TOO_LARGE.with(|f| f.borrow_mut().take())
}

/// Whether a collection stopped short (and the run must fail); the stack
/// guard asks, which only the wasm build has.
#[cfg(target_family = "wasm")]
pub fn failed() -> bool {
    TOO_LARGE.with(|f| f.borrow().is_some())
}
