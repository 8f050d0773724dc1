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

/// This thread's own copy of a text many records share (a file's name, a border's id).
/// Cloning one shared copy on several threads at once makes its reference count the most
/// contended word of the loop: each thread counting its own copy does not wait.
pub(crate) fn own_copy(text: &str) -> std::sync::Arc<str> {
    thread_local! {
        static COPIES: Seen<std::sync::Arc<str>> = Default::default();
    }
    remembered(&COPIES, text, |t| t.into())
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

    /// A thread gets one copy of a text, another thread another copy, both equal to it.
    #[test]
    fn each_thread_has_its_own_copy_of_a_text() {
        let (a, b) = (own_copy("AF-PK"), own_copy("AF-PK"));
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        let other = std::thread::spawn(|| own_copy("AF-PK")).join().unwrap();
        assert!(!std::sync::Arc::ptr_eq(&a, &other));
        assert_eq!(&*other, "AF-PK");
    }
}
