//! Objects: keys in insertion order, as jq writes them. A small object is
//! one vector searched from the front (one allocation, no hashing); past
//! [`INDEXED`] keys a hash index from key to position is added.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::value::Val;

/// From this many keys on, lookups go through a hash index.
const INDEXED: usize = 16;

/// An insertion-ordered map from string keys to values.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Vec<(Rc<str>, Val)>,
    index: Option<HashMap<Rc<str>, usize, BuildHasherDefault<FxHasher>>>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// An empty map with room for `n` keys.
    pub fn with_capacity(n: usize) -> Map {
        Map { entries: Vec::with_capacity(n), index: None }
    }

    /// A map of entries whose keys are all different (as a parser that checked them has them).
    pub fn from_unique(entries: Vec<(Rc<str>, Val)>) -> Map {
        let mut map = Map { entries, index: None };
        map.reindex();
        map
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k.len() == key.len() && **k == *key),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The entry at position `i` (insertion order).
    pub fn entry_at(&self, i: usize) -> (&Rc<str>, &Val) {
        let (k, v) = &self.entries[i];
        (k, v)
    }

    /// The value at position `i` (insertion order).
    pub fn value_at(&self, i: usize) -> &Val {
        &self.entries[i].1
    }

    /// Sets `key` (kept at its place if it was there, else added at the end).
    pub fn insert(&mut self, key: Rc<str>, value: Val) {
        match self.position(&key) {
            Some(i) => self.entries[i].1 = value,
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(key.clone(), self.entries.len());
                }
                self.entries.push((key, value));
                if self.index.is_none() && self.entries.len() > INDEXED {
                    self.reindex();
                }
            }
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) -> Option<Val> {
        let i = self.position(key)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(value)
    }

    fn reindex(&mut self) {
        self.index = (self.entries.len() > INDEXED).then(|| {
            let mut index = HashMap::with_capacity_and_hasher(self.entries.len(), Default::default());
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(k.clone(), i);
            }
            index
        });
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> &[(Rc<str>, Val)] {
        &self.entries
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Rc<str>, &Val)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries, taken.
    pub fn into_entries(mut self) -> impl Iterator<Item = (Rc<str>, Val)> {
        std::mem::take(&mut self.entries).into_iter()
    }

    /// The keys, sorted by their bytes (jq's `keys`).
    pub fn sorted_keys(&self) -> Vec<&Rc<str>> {
        let mut keys: Vec<&Rc<str>> = self.entries.iter().map(|(k, _)| k).collect();
        keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        keys
    }
}

impl Drop for Map {
    /// As [`crate::value::List`]'s: nested containers without recursion.
    fn drop(&mut self) {
        if self.entries.iter().any(|(_, v)| matches!(v, Val::Arr(_) | Val::Obj(_))) {
            crate::value::drop_nested(std::mem::take(&mut self.entries).into_iter().map(|(_, v)| v).collect());
        }
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

/// The Firefox hash: a multiply and a rotate per word; keys here are short.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
