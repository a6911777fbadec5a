//! A dropped key leaves no trace of its secret in the memory it is freed from: the HMAC state
//! (the SHA-256 states of the key's inner and outer pads) is zeroed when a `UserHasher` is
//! dropped (its `Drop`, with `zeroize`), before its memory goes back to the allocator. This test binary's allocator copies a watched block as it is freed, after
//! the value in it was dropped, so the test sees what a later allocation would find there.
//! The addon keeps each key in one heap block it is never moved out of (an `Rc` in
//! src/raw/registry.rs; a `Box` here), so that the state is not left behind by a move.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use atlas_user_hash::user_hash::UserHasher;

/// The address of the block whose bytes `dealloc` copies (0: none).
static WATCHED: AtomicUsize = AtomicUsize::new(0);
/// The bytes of the watched block as it was freed, and how many.
static FREED: Mutex<([u8; 1024], usize)> = Mutex::new(([0; 1024], 0));

/// The system allocator, copying the watched block's bytes when it is freed.
struct Watching;

// SAFETY: every call is passed on to the system allocator with the same arguments.
unsafe impl GlobalAlloc for Watching {
  unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
    // SAFETY: the caller's promises for `alloc` are passed on.
    unsafe { System.alloc(layout) }
  }

  unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
    if WATCHED
      .compare_exchange(ptr as usize, 0, Ordering::SeqCst, Ordering::SeqCst)
      .is_ok()
    {
      let len = layout.size().min(1024);
      if let Ok(mut freed) = FREED.lock() {
        for (i, byte) in freed.0[..len].iter_mut().enumerate() {
          let at = ptr.wrapping_add(i);
          // SAFETY: `at` is inside the block being freed (`i` < `layout.size()`), not yet given
          // back; a volatile read keeps the compiler from assuming what it holds.
          *byte = unsafe { at.read_volatile() };
        }
        freed.1 = len;
      }
    }
    // SAFETY: the caller's promises for `dealloc` are passed on.
    unsafe { System.dealloc(ptr, layout) }
  }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// The bytes of `value`, read in place.
fn bytes_of<T>(value: &T) -> Vec<u8> {
  let start = (value as *const T).cast::<u8>();
  (0..size_of::<T>())
    .map(|i| {
      let at = start.wrapping_add(i);
      // SAFETY: `at` is inside `value`, a live `T` of `size_of::<T>()` bytes; volatile, as above.
      unsafe { at.read_volatile() }
    })
    .collect()
}

#[test]
fn a_dropped_key_is_zeroed_before_its_memory_is_freed() {
  let secret = b"key-wipe-secret-0123456789abcdef";
  let key = Box::new(UserHasher::new(secret));
  let want = key.hash_hex(b"u");
  assert_eq!(key.hash_hex(b"u"), want, "the key works");
  let held = bytes_of(&*key);
  let nonzero = held.iter().filter(|&&b| b != 0).count();
  assert!(
    nonzero >= 32,
    "a keyed state holds its pads' SHA-256 states ({nonzero} nonzero bytes)"
  );

  WATCHED.store(&*key as *const UserHasher as usize, Ordering::SeqCst);
  drop(key);
  assert_eq!(
    WATCHED.load(Ordering::SeqCst),
    0,
    "the key's block was freed"
  );
  let (freed, len) = *FREED.lock().unwrap();
  assert_eq!(len, held.len());
  let left: Vec<usize> = (0..len)
    .filter(|&i| held[i] != 0 && freed[i] == held[i])
    .collect();
  assert!(
    left.is_empty(),
    "{} of the key's {nonzero} nonzero bytes were still there when its memory was freed (offsets {left:?})",
    left.len()
  );
  assert!(
    freed[..len].iter().all(|&b| b == 0),
    "freed: {:?}",
    &freed[..len]
  );
}
