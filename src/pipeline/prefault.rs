//! Faulting in a list's spare room ahead of the thread that fills it.
//!
//! Why: `run` keeps every located incident (about 450 bytes each) in one list, filled by the
//! one thread that every batch of the reading waits for. Each fresh page of that list was
//! faulted in by that thread on its first write: on the peer's million, about a third of
//! its time (`perf`: 0.33 s of page faults in 0.53 s), while the other core had little to
//! do. A thread of its own now asks the kernel for the room's pages ahead of the filling
//! (`MADV_POPULATE_WRITE`, Linux 5.14 and later), in steps, from where the list ends. The
//! list's contents are not touched; where the kernel refuses, the pages are faulted in as
//! before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// Bytes asked for per call: small enough to stop soon after being told to.
const STEP: usize = 4 << 20;

/// How far ahead of the list's end its room is faulted in: about four batches of located
/// incidents. Room faulted in but never filled is memory all the same (a room left early for
/// a larger one, or the end of the last), so it stays near the filling, and short of the
/// length the list is expected to reach where that is known.
const AHEAD: usize = 32 << 20;

/// A thread faulting in a list's spare room, [`AHEAD`] of its end as told by
/// [`Prefault::follow`]. Stopped (and joined) on drop: it must be dropped before the list's
/// room is given back or moved.
pub(super) struct Prefault {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What the filling thread tells the faulting one.
struct Shared {
    stop: AtomicBool,
    /// Address up to which to fault the room in.
    until: AtomicUsize,
}

impl Prefault {
    /// Starts faulting in the room of `list` past its length (nothing where there is under
    /// a page of it, or on systems other than Linux).
    pub(super) fn spare_room_of<T>(list: &mut Vec<T>) -> Option<Prefault> {
        let spare = list.spare_capacity_mut();
        let start = spare.as_mut_ptr() as usize;
        Prefault::room(start, start + std::mem::size_of_val(spare))
    }

    /// Starts faulting in the whole pages of the memory from `start` to `end`, the end of
    /// the list at `start`.
    fn room(start: usize, end: usize) -> Option<Prefault> {
        let page = page_size()?;
        // Whole pages only: the list's first and last pages may be shared with other memory.
        let (first, last) = (start.next_multiple_of(page), end / page * page);
        if last <= first {
            return None;
        }
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            until: AtomicUsize::new(start.saturating_add(AHEAD)),
        });
        let told = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("prefault".into())
            .spawn(move || {
                let mut at = first;
                while at < last && !told.stop.load(Ordering::Acquire) {
                    let until = told.until.load(Ordering::Acquire);
                    let until = (until / page * page).min(last);
                    if at >= until {
                        std::thread::park();
                        continue;
                    }
                    let len = STEP.min(until - at);
                    if !populate(at, len) {
                        break;
                    }
                    at += len;
                }
            })
            .ok()?;
        Some(Prefault {
            shared,
            thread: Some(thread),
        })
    }

    /// Tells the thread where `list` (the list whose room it faults in) now ends, and how
    /// long it is `expected` to grow (the room past that is left to fault in as used).
    pub(super) fn follow<T>(&self, list: &[T], expected: Option<usize>) {
        let start = list.as_ptr() as usize;
        let cap =
            expected.map(|n| start.saturating_add(n.saturating_mul(std::mem::size_of::<T>())));
        self.filled_to(list.as_ptr_range().end as usize, cap);
    }

    /// Tells the thread that the list now ends at `end`, and is expected to end by `cap`.
    fn filled_to(&self, end: usize, cap: Option<usize>) {
        let until = end.saturating_add(AHEAD).min(cap.unwrap_or(usize::MAX));
        self.shared.until.store(until, Ordering::Release);
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }
}

impl Drop for Prefault {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            // A panic there has nothing to report: the pages are faulted in as they are used.
            let _ = t.join();
        }
    }
}

#[cfg(target_os = "linux")]
fn page_size() -> Option<usize> {
    // SAFETY: `sysconf` has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).ok().filter(|&s| s.is_power_of_two())
}

#[cfg(not(target_os = "linux"))]
fn page_size() -> Option<usize> {
    None
}

/// Faults in the pages from `at` for `len` bytes as a write would, without changing them;
/// false where the kernel refuses.
#[cfg(target_os = "linux")]
fn populate(at: usize, len: usize) -> bool {
    // SAFETY: the range is whole pages of a list's allocation, which the list keeps (the
    // `Prefault` is dropped before the room is given back). `MADV_POPULATE_WRITE` changes no
    // byte of it: it only maps the pages in.
    unsafe { libc::madvise(at as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn populate(_at: usize, _len: usize) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Fresh memory of `bytes` (whole pages), none of it in memory yet; unmapped on drop.
    struct Fresh {
        at: usize,
        bytes: usize,
    }

    impl Fresh {
        fn new(bytes: usize) -> Fresh {
            // SAFETY: a new private anonymous mapping, owned by the `Fresh` made of it.
            let at = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    bytes,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert_ne!(at, libc::MAP_FAILED, "mmap");
            Fresh {
                at: at as usize,
                bytes,
            }
        }

        /// The bytes of it that are in memory (whole pages).
        fn resident(&self) -> usize {
            let page = page_size().unwrap();
            let mut flags = vec![0u8; self.bytes / page];
            // SAFETY: the mapping is whole pages; `flags` has one byte per page.
            let done = unsafe {
                libc::mincore(self.at as *mut libc::c_void, self.bytes, flags.as_mut_ptr())
            };
            assert_eq!(done, 0, "mincore");
            flags.iter().filter(|&&f| f & 1 == 1).count() * page
        }

        fn bytes(&mut self) -> &mut [u8] {
            // SAFETY: the mapping is readable and writable, and borrowed from `self`.
            unsafe { std::slice::from_raw_parts_mut(self.at as *mut u8, self.bytes) }
        }
    }

    impl Drop for Fresh {
        fn drop(&mut self) {
            // SAFETY: the mapping made in `new`, no longer borrowed.
            unsafe { libc::munmap(self.at as *mut libc::c_void, self.bytes) };
        }
    }

    /// Waits until `fresh` has at least `bytes` in memory (failing after 20 s).
    fn wait_for(fresh: &Fresh, bytes: usize) {
        let started = std::time::Instant::now();
        while fresh.resident() < bytes {
            assert!(
                started.elapsed().as_secs() < 20,
                "{} bytes in memory",
                fresh.resident()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn the_room_is_faulted_in_and_left_as_it_was() {
        let mut fresh = Fresh::new(16 << 20);
        fresh.bytes()[..1 << 20].fill(7);
        assert_eq!(fresh.resident(), 1 << 20);
        let prefault = Prefault::room(fresh.at, fresh.at + fresh.bytes).expect("a thread");
        prefault.filled_to(fresh.at + (1 << 20), None);
        wait_for(&fresh, 16 << 20);
        drop(prefault);
        let bytes = fresh.bytes();
        assert!(bytes[..1 << 20].iter().all(|&b| b == 7));
        assert!(bytes[1 << 20..].iter().all(|&b| b == 0));
    }

    #[test]
    fn it_stays_near_the_end_of_the_list() {
        let fresh = Fresh::new(256 << 20);
        let prefault = Prefault::room(fresh.at, fresh.at + fresh.bytes).expect("a thread");
        // Told nothing, it faults in what lies within AHEAD of the list's start, and waits.
        wait_for(&fresh, AHEAD / 2);
        // Time enough to fault in all 256 MiB (a gigabyte a second or more), were it not
        // waiting.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(
            fresh.resident() <= AHEAD,
            "{} bytes in memory",
            fresh.resident()
        );
        // Told the list is longer, it goes on.
        prefault.filled_to(fresh.at + (64 << 20), None);
        wait_for(&fresh, (64 << 20) + AHEAD);
        drop(prefault);
        assert!(fresh.resident() <= (64 << 20) + AHEAD);
    }

    #[test]
    fn it_stops_short_of_the_expected_end() {
        let fresh = Fresh::new(256 << 20);
        let prefault = Prefault::room(fresh.at, fresh.at + fresh.bytes).expect("a thread");
        // Expected to end 8 MiB in, at 1 MiB now: nothing past the 8 MiB is faulted in.
        prefault.filled_to(fresh.at + (1 << 20), Some(fresh.at + (8 << 20)));
        wait_for(&fresh, 8 << 20);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(fresh.resident(), 8 << 20);
        drop(prefault);
    }

    #[test]
    fn it_stops_when_dropped() {
        let fresh = Fresh::new(256 << 20);
        let prefault = Prefault::room(fresh.at, fresh.at + fresh.bytes).expect("a thread");
        prefault.filled_to(fresh.at + fresh.bytes, None);
        wait_for(&fresh, STEP);
        drop(prefault);
        let stopped_at = fresh.resident();
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(
            fresh.resident(),
            stopped_at,
            "nothing faulted in once dropped"
        );
    }
}
