//! An ordered set and map in a sorted `Vec`, for the console's selections (rows to kill, scopes of a new
//! token) and what the sessions page heard of its rows: they hold a page of items at most, and each
//! element type of a `BTreeSet` or `HashMap` costs the WASM kilobytes of tree or table code (and the
//! map's hasher), where this is a binary search and a `Vec` insert or remove.

/// Like `BTreeSet<T>` for what the console does with it: iteration is in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedSet<T>(Vec<T>);

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet(Vec::new())
    }
}

impl<T: Ord> SortedSet<T> {
    pub fn new() -> SortedSet<T> {
        SortedSet::default()
    }

    pub fn contains(&self, value: &T) -> bool {
        self.0.binary_search(value).is_ok()
    }

    /// Adds `value`; false when it was there already.
    pub fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, value);
                true
            }
        }
    }

    /// Takes `value` out; false when it was not there.
    pub fn remove(&mut self, value: &T) -> bool {
        match self.0.binary_search(value) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Like `HashMap<K, V>` for what the sessions page does with it, kept in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> SortedMap<K, V> {
        SortedMap::default()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|at| &self.0[at].1)
    }

    /// Sets the value of `key`, in place of the one it had.
    pub fn insert(&mut self, key: K, value: V) {
        match self.find(&key) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (key, value)),
        }
    }

    /// Keeps only the entries `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::*;

    /// A fixed pseudo-random walk (a linear congruential generator) from `seed`.
    fn walk(seed: u32) -> impl Iterator<Item = u32> {
        std::iter::successors(Some(seed), |x| {
            Some(x.wrapping_mul(1_103_515_245).wrapping_add(12_345))
        })
        .skip(1)
    }

    #[test]
    fn it_keeps_what_a_btree_set_keeps_in_the_same_order() {
        let mut ours = SortedSet::new();
        let mut theirs = BTreeSet::new();
        // Inserts and removals over a small range, so both hit and miss.
        for x in walk(7).take(2_000) {
            let value = i64::from(x >> 16) % 50 - 25;
            if x & 0x100 == 0 {
                assert_eq!(ours.insert(value), theirs.insert(value));
            } else {
                assert_eq!(ours.remove(&value), theirs.remove(&value));
            }
            assert_eq!(ours.contains(&value), theirs.contains(&value));
            assert_eq!(ours.len(), theirs.len());
        }
        let ours: Vec<i64> = ours.into_iter().collect();
        let theirs: Vec<i64> = theirs.into_iter().collect();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn the_map_answers_as_a_hash_map_does() {
        let mut ours = SortedMap::new();
        let mut theirs = HashMap::new();
        for (step, x) in (0_i64..).zip(walk(11)).take(2_000) {
            let key = i64::from(x >> 16) % 40;
            if step % 100 == 99 {
                ours.retain(|k, v| (k + v) % 3 != 0);
                theirs.retain(|k, v| (*k + *v) % 3 != 0);
            } else {
                ours.insert(key, step);
                theirs.insert(key, step);
            }
            for key in 0..40 {
                assert_eq!(ours.get(&key), theirs.get(&key));
            }
        }
    }
}
