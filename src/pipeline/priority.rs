//! A thread's own scheduling priority, lowered for work that may wait while other work of
//! the same job runs ahead of it.

/// Lowers the calling thread to `nice` (on Linux, a thread's own nice level); whether it
/// is. Raising a priority needs a privilege, so a nice level of this process's threads only
/// goes up (lower priority), and only for the thread that asks.
#[cfg(target_os = "linux")]
pub(super) fn lower_this_thread(nice: i32) -> bool {
    // SAFETY: `gettid` has no preconditions; `setpriority` on this thread's id changes
    // only this thread's nice level.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, nice) == 0
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn lower_this_thread(_nice: i32) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::lower_this_thread;

    #[test]
    fn a_thread_lowers_its_own_priority_only() {
        let own = || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = own();
        // Lower by a little, within the range (a test run already at nice 19 stays there).
        let target = (before.max(0) + 3).min(19);
        let lowered = std::thread::spawn(move || {
            assert!(lower_this_thread(target));
            own()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, target);
        assert_eq!(own(), before, "the calling thread of the test is untouched");
    }
}
