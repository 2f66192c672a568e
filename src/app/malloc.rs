//! The memory allocator's settings for a long-running process.
//!
//! glibc's malloc serves blocks of 128 KiB and more with their own mappings, handed back
//! to the system when freed, but the first time such a block is freed it raises that
//! threshold to the block's size (up to 32 MiB), and from then on blocks of that size
//! are carved from the heap, whose free space stays resident. A server that once built a
//! large page or read a large row keeps that memory for good: at 10,000,000 PAKN pakn
//! grew to 34.0–34.7 MB under word searches and `/answers` (32.3–32.6 MB with the
//! threshold fixed; `bench/results.md`). Fixing the threshold at its default keeps big
//! blocks out of the heap.

/// The size from which a block gets a mapping of its own (glibc's default).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes malloc's mmap threshold; call it before other threads start.
pub fn keep_big_blocks_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it is called once, at
    // start, before the runtime's threads exist. A refusal (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
