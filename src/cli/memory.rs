//! When the binary's allocator (mimalloc) gives freed memory back to the system, and in
//! what pages. The library does not know its allocator: the command line sets it up for the
//! job it runs.

use std::os::raw::c_long;
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::time::Duration;

/// mimalloc's `mi_option_purge_delay` (the same number in its v2 and v3 option lists).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc (the binary's allocator) keeps memory given back to it for a second before
/// returning it to the system, in case it is asked for again. `run` and `export` hold every
/// incident with all its fields, and reading a large file frees hundreds of megabytes of
/// parsed rows as those incidents are made: with the full second that memory is still held
/// when the incidents are complete, and a million incidents peaked over 1 GiB. Returning it
/// at once cost system calls and fresh pages instead (a million incidents: 2.7-3.6 s of
/// system time against 1.6-1.8 s, and 0.5-1.7 s of wall time); 50 ms keeps the peak under
/// 1 GiB (the peer's million, still with huge pages: 923-953 MiB with 2 threads, 941-965
/// MiB with 4 to 16; without them, see [`without_huge_pages`], 888-911 MiB) at nearly the
/// speed of the full second. That was the delay until `run` and `export` returned memory
/// themselves ([`HELD_UNTIL_RETURNED`], [`Returner`]). `density` and `compare` keep only the analysed
/// columns, and the analysis starts the moment reading ends: with a second's delay the rows
/// freed by reading were still held while it allocated its own (a million incidents peaked
/// at 390-420 MB); with a quarter of a second they are returned by then, at the same speed
/// (337-344 MB; 100 ms cost more system time). `MIMALLOC_PURGE_DELAY` in the environment
/// still decides, when set.
pub(super) fn set_purge_delay(ms: c_long) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called before any thread of this process is started (mimalloc's options
        // are not synchronised); the option number is checked against mimalloc's header.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
    }
}

/// Transparent huge pages off for this process, unless `MIMALLOC_ALLOW_THP` in the
/// environment decides (mimalloc reads it when it starts, before this runs). mimalloc asks
/// the system for huge pages for its arenas, and a huge page is cleared whole the first time
/// any byte of it is touched, and held whole while any byte of it is in use. With ordinary
/// pages, on the peer's million incidents (interleaved runs on this project's two-core
/// machine): `run` peaked at 878-908 MiB instead of 921-949 MiB, with about a second less
/// system time (1.9-2.6 s against 1.9-3.5 s) and its wall time level or a little lower
/// within the machine's noise (7.05-8.04 s against 7.26-8.09 s); `density` at 295-304 MiB
/// instead of 322-332 MiB, 1.51-1.80 s against 1.58-1.77 s.
pub(super) fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes one integer argument and changes only how the
        // kernel backs this process's later memory; failure (an old kernel) leaves it as it
        // was, which is only slower.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// The purge delay (ms) of `run` and `export`: mimalloc returns nothing on its own while the
/// inputs are read and analysed, where memory freed (a batch's parsed rows) is soon asked for
/// again: returned at once, it came back as fresh pages, each cleared by the kernel on its
/// first touch. From the outputs on, a [`Returner`] gives back what is freed, as the
/// 50 ms delay before it did: the maps and layers free more than they ask for again.
///
/// On the peer's million incidents (`run`, interleaved pairs against the 50 ms delay for the
/// whole job): median ratio 0.971, faster in 7 of 8; page faults 383-386 thousand against
/// 492-528 thousand, system time 0.97-0.99 s against 1.1-1.25 s, the peak 943-965 MB against
/// 951-990 MB. Held to the end instead (no returning at all), the peak was 1.09-1.11 GB.
pub(super) const HELD_UNTIL_RETURNED: c_long = 10_000;

/// How often a [`Returner`] gives freed memory back.
const RETURN_EVERY: Duration = Duration::from_millis(50);

/// While it lives, gives the memory freed to mimalloc back to the system every
/// [`RETURN_EVERY`], and once when it starts: on each thread of the pool, then on a thread
/// of its own. A forced collection returns a thread's own emptied pages to mimalloc's arenas
/// and purges what the arenas hold freed, whatever the purge delay. Threads outside the pool
/// return their pages as they allocate, as mimalloc always does.
pub(super) struct Returner {
    stop: Option<Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Returner {
    pub(super) fn start() -> Returner {
        return_freed();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("returning memory".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(RETURN_EVERY) {
                    return_freed();
                }
            })
            // Without the thread, memory is still returned when the job ends.
            .ok();
        Returner {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Returner {
    fn drop(&mut self) {
        // The thread stops when its channel closes.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Returns freed memory from every thread of the pool and from this one.
fn return_freed() {
    rayon::broadcast(|_| collect());
    collect();
}

fn collect() {
    // SAFETY: `mi_collect` takes no pointers; it collects the calling thread's own heap and
    // purges the arenas under mimalloc's own guard, from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A returner started and stopped while the pool works (and waits on work of its own)
    /// neither holds the work up nor keeps its thread running.
    #[test]
    fn a_returner_stops_when_dropped_while_the_pool_is_busy() {
        let returner = Returner::start();
        let total: u64 = (0..64u64)
            .map(|round| {
                use rayon::prelude::*;
                (0..10_000u64)
                    .into_par_iter()
                    .map(|i| vec![i + round; 64].iter().sum::<u64>())
                    .sum::<u64>()
            })
            .sum();
        assert!(total > 0);
        std::thread::sleep(3 * RETURN_EVERY);
        assert!(returner.thread.as_ref().is_some_and(|t| !t.is_finished()));
        drop(returner);
    }
}
