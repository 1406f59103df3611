//! The render's budget of minijinja fuel: one per instruction the template
//! runs, or per 64 bytes of text and lists it makes. The parameter `fuel`
//! bounds it (an endless loop ends there); the step's memory bounds it too,
//! so that a template cannot make more data than the memory holds: minijinja
//! refuses an operation whose result the fuel left cannot pay for before it
//! allocates, so the render fails with a message instead of the module
//! running out of memory (which, in wasm, is a trap).

use crate::options::Options;

/// The bytes one fuel pays for (minijinja's `UNITS_PER_FUEL`).
const BYTES_PER_FUEL: u64 = 64;

/// Which part of the free memory the template's data may take (all it
/// makes, freed or not: fuel only goes down): the rest is for the output's
/// growth (a `String` doubles) and what the engine allocates without
/// charging fuel.
const MEMORY_SHARE: u64 = 2;

/// The fuel a render may use, and what bounds it.
pub struct Budget {
    /// The fuel the render is given.
    pub fuel: u64,
    /// The memory the module could still allocate when the render began,
    /// when that (rather than the parameter `fuel`) bounds the fuel.
    pub memory_bound: Option<u64>,
}

impl Budget {
    /// The smaller of the parameter `fuel` and what the free memory allows.
    pub fn for_render(options: &Options) -> Budget {
        let free = free_memory();
        let memory_fuel = free / MEMORY_SHARE / BYTES_PER_FUEL;
        if memory_fuel < options.fuel {
            Budget { fuel: memory_fuel, memory_bound: Some(free) }
        } else {
            Budget { fuel: options.fuel, memory_bound: None }
        }
    }

    /// What a render that used up its fuel is told.
    pub fn exhausted(&self) -> String {
        let fuel = self.fuel;
        match self.memory_bound {
            Some(free) => format!(
                "the template needs more memory than the step has: it used up the {fuel} fuel that the step's {} MiB \
                 of free memory allow (one fuel per instruction or per {BYTES_PER_FUEL} bytes of text and lists the \
                 template makes, half the free memory in all); give the step more memory (or, if a loop or a \
                 recursion is endless, end it)",
                free >> 20
            ),
            None => format!(
                "the template used up its {fuel} fuel (one per instruction or per {BYTES_PER_FUEL} bytes of text and \
                 lists it makes): is a loop or a recursion endless? A template that needs more can raise the \
                 parameter \"fuel\""
            ),
        }
    }
}

/// How many bytes the module can still allocate, within a quarter: the
/// largest blocks that fit, one after another, kept until the next no
/// longer fits, then freed. The linear memory keeps the pages they grew it
/// by, for the render to use.
#[cfg(target_family = "wasm")]
fn free_memory() -> u64 {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    // The largest block a 32-bit address space allows, then 3/4 of each size before.
    let mut size: usize = isize::MAX as usize;
    while size >= 1 << 20 {
        let mut block: Vec<u8> = Vec::new();
        if block.try_reserve_exact(size).is_ok() {
            if blocks.try_reserve(1).is_err() {
                break;
            }
            blocks.push(block);
        } else {
            size = size / 4 * 3;
        }
    }
    blocks.iter().map(|block| block.capacity() as u64).sum()
}

/// A native build (the unit tests) has no memory limit of its own.
#[cfg(not(target_family = "wasm"))]
fn free_memory() -> u64 {
    u64::MAX
}
