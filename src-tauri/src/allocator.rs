//! The C allocator's settings for the app's one long-lived process (issue 19's memory budget of
//! 300 MiB, docs/performance.md). glibc's malloc gives each thread that allocates an arena of its
//! own (up to eight per core) and hands freed memory back to the system only above a threshold
//! that grows after every large free; signing in replays the whole log on a command thread, so
//! the memory that replay used stayed with the process. Two arenas and a fixed trim threshold of
//! 128 KiB give most of it back (the app's anonymous memory after browsing 70 → 49 MiB). The
//! environment's `MALLOC_ARENA_MAX` would do the same but is read before `main` runs, so it
//! cannot be set from inside the app; WebKit's processes use their own allocator and are not
//! affected.

/// Applies the settings; called first in [`crate::run`].
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune() {
    const ARENAS: libc::c_int = 2;
    const TRIM_THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only sets the allocator's parameters (under the allocator's own lock) and
    // takes plain integers; it touches no memory of ours. An option it refuses (it returns 0)
    // leaves glibc's default, which is only less frugal.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Other platforms' allocators are left as they are.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
