//! Caps on the long-running responses of this server (exports, event streams): so many in all, and so
//! many per caller. What they protect (this process's connections, threads and sockets) belongs to one
//! node, so they are counted in the process: N nodes serve N times the cap in all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Slots handed out to callers; a slot is given back when its [`Slot`] is dropped.
#[derive(Debug)]
pub struct Slots {
    in_all: usize,
    per_caller: usize,
    taken: Mutex<Taken>,
}

#[derive(Debug, Default)]
struct Taken {
    in_all: usize,
    by_caller: HashMap<String, usize>,
}

/// Why no slot was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The caller holds `per_caller` slots already.
    Caller(usize),
    /// The server holds `in_all` slots already.
    Server(usize),
}

impl Slots {
    pub fn new(in_all: usize, per_caller: usize) -> Arc<Slots> {
        Arc::new(Slots {
            in_all,
            per_caller,
            taken: Mutex::default(),
        })
    }

    /// A slot for `caller`, unless the caller or the server holds as many as allowed.
    pub fn take(self: &Arc<Self>, caller: &str) -> Result<Slot, Full> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let held = taken.by_caller.get(caller).copied().unwrap_or(0);
        if held >= self.per_caller {
            return Err(Full::Caller(self.per_caller));
        }
        if taken.in_all >= self.in_all {
            return Err(Full::Server(self.in_all));
        }
        taken.in_all += 1;
        *taken.by_caller.entry(caller.to_owned()).or_default() += 1;
        Ok(Slot {
            slots: self.clone(),
            caller: caller.to_owned(),
        })
    }

    /// Slots held now, in all.
    pub fn in_use(&self) -> usize {
        self.taken.lock().unwrap_or_else(|e| e.into_inner()).in_all
    }
}

/// One held slot.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    caller: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut taken = self.slots.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.in_all -= 1;
        if let Some(held) = taken.by_caller.get_mut(&self.caller) {
            *held -= 1;
            if *held == 0 {
                taken.by_caller.remove(&self.caller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_caller_and_in_all_and_come_back_when_dropped() {
        let slots = Slots::new(3, 2);
        let a1 = slots.take("a").unwrap();
        let _a2 = slots.take("a").unwrap();
        assert_eq!(slots.take("a").unwrap_err(), Full::Caller(2));
        let _b1 = slots.take("b").unwrap();
        assert_eq!(slots.take("c").unwrap_err(), Full::Server(3));
        drop(a1);
        assert_eq!(slots.in_use(), 2);
        let _c1 = slots.take("c").unwrap();
        assert_eq!(slots.take("a").unwrap_err(), Full::Server(3));
    }
}
