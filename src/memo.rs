//! Answers worked out from a text, remembered per thread. Input files repeat a handful of
//! spellings (event types, say) a million times; each thread keeps the answers for the
//! spellings it has met, up to a bound, so a file of free text cannot grow the memory.

use std::cell::RefCell;
use std::thread::LocalKey;

/// A thread's remembered answers: declare one with `thread_local!` per kind of answer.
pub(crate) type Seen<V> = RefCell<rustc_hash::FxHashMap<Box<str>, V>>;

/// Texts remembered per thread, at most.
const REMEMBERED: usize = 4096;

/// `work(text)`, remembered in `seen` for the next time this thread meets `text`.
pub(crate) fn remembered<V: Clone>(
    seen: &'static LocalKey<Seen<V>>,
    text: &str,
    work: impl FnOnce(&str) -> V,
) -> V {
    if let Some(known) = seen.with(|s| s.borrow().get(text).cloned()) {
        return known;
    }
    let answer = work(text);
    seen.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < REMEMBERED {
            s.insert(text.into(), answer.clone());
        }
    });
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_worked_out_once_per_text_and_the_memory_is_bounded() {
        thread_local! { static SEEN: Seen<usize> = RefCell::default(); }
        let mut calls = 0;
        for _ in 0..3 {
            assert_eq!(
                remembered(&SEEN, "abc", |t| {
                    calls += 1;
                    t.len()
                }),
                3
            );
        }
        assert_eq!(calls, 1);
        for k in 0..2 * REMEMBERED {
            remembered(&SEEN, &k.to_string(), str::len);
        }
        assert_eq!(SEEN.with(|s| s.borrow().len()), REMEMBERED);
    }
}
