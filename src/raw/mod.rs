//! The addon's Node-API layer for keys. Its `unsafe` code, all of the crate's, is in
//! [`node_api`]: small safe wrappers of the Node-API calls, each with its SAFETY note. Here:
//! - keys as JavaScript values: `createKey` (in `lib.rs`) returns a [`KeyExternal`], which
//!   becomes a napi `External` whose data is a token: a number this thread never hands out
//!   twice. The keyed HMAC state it names is in [`KEYS`], this thread's [`Registry`] (in
//!   `registry.rs`). Under Deno a key is an empty object whose wrap carries the token
//!   instead: Deno (2.9) keeps ~50 bytes for every External it ever made, for the life of the
//!   process, and frees wrapped objects (scripts/runtimes/deno-external-leak/);
//! - `dropKey`, which frees a key's state at once and cancels its finalizer, so that keys
//!   made and dropped in a synchronous loop leave nothing waiting for the event loop to
//!   turn (Node runs finalizers only then); a key never dropped is freed by its finalizer;
//! - `hash` and `verify`, the exports every call goes through, as raw Node-API callbacks.
//!   napi-rs's generated wrapper (argument bookkeeping, a borrow scope with a heap
//!   allocation) and its `String` conversion (a heap copy) cost ~20% of the call, and a
//!   wrapped object's `napi_unwrap` (a private-property lookup) another ~15%, measured with
//!   `npm run bench`; reading strings and a key by hand is short enough to check.
//!
//! A token is a number, never a pointer: it is only looked up in [`KEYS`]. Any other
//! `External` (another addon's, a dropped key's) finds no key there and is refused with an
//! error. No Node-API call made while [`KEYS`] is borrowed runs JavaScript.
// napi-rs registers exports only outside `cargo test`, where these would look unused.
#![cfg_attr(test, allow(dead_code))]

mod node_api;
mod registry;
mod strings;

use std::cell::{Cell, RefCell};

use crate::engine::{self, Status};
use crate::user_hash::UserHasher;
use node_api::{Call, Env, Export, Finalizer, OnGarbage, Value};
use registry::Registry;
use strings::Utf8Buffer;

thread_local! {
  /// This thread's keys. (Each JavaScript thread has its own values and finalizers.) Each
  /// entry holds the finalizer `napi_add_finalizer` gave for its key's External, or `None`
  /// for a wrapped key (whose finalizer is its wrap's).
  static KEYS: RefCell<Registry<Option<Finalizer>>> = RefCell::new(Registry::random());
  /// Whether this thread's keys are wrapped objects (the runtime is Deno); asked at the
  /// first key.
  static WRAPPED_KEYS: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Runs `call` with the keyed state that `token` names; `None` when it names none. The
/// registry is borrowed only to take the state: in the wasm build a panic or a stack overflow
/// traps instead of unwinding, and a borrow held across it would stay held for good (every
/// later key would then fail on `borrow_mut`).
fn with_key<T>(token: usize, call: impl FnOnce(&UserHasher) -> T) -> Option<T> {
  let state = KEYS.with(|keys| keys.borrow().state(token))?;
  Some(call(&state))
}

/// The token a key value carries: an External's data or, for a wrapped key, its wrap's.
/// Any value that carries a number gives one: only [`KEYS`] says whether it names a key.
fn token_of(env: Env<'_>, key: Value<'_>) -> Option<usize> {
  env.external_data(key).or_else(|| env.wrapped_data(key))
}

/// Whether keys made with `env` are wrapped objects: the runtime is Deno.
fn wrapped_keys(env: Env<'_>) -> bool {
  WRAPPED_KEYS.with(|known| {
    known.get().unwrap_or_else(|| {
      let deno = env
        .runtime_release()
        .is_some_and(|release| release == c"Deno");
      known.set(Some(deno));
      deno
    })
  })
}

/// How many keys this thread holds: made, and neither dropped nor collected. Test builds
/// only (`liveKeyCount`).
#[cfg(any(test, feature = "test-hooks"))]
pub fn live_key_count() -> usize {
  KEYS.with(|keys| keys.borrow().len())
}

/// Makes this thread's next keys wrapped objects (`true`) or Externals (`false`), whatever
/// the runtime. Test builds only (`useWrappedKeys`).
#[cfg(any(test, feature = "test-hooks"))]
pub fn use_wrapped_keys(wrapped: bool) {
  WRAPPED_KEYS.with(|known| known.set(Some(wrapped)));
}

/// A keyed HMAC state on its way to JavaScript: it becomes an `External` that names the
/// state until `dropKey` is given it or it is garbage (napi-rs converts it with
/// [`new_key`]).
pub struct KeyExternal(pub UserHasher);

/// Registers `key` under a new token and returns its `External` (under Deno its wrapped
/// object), whose finalizer frees the key when it is garbage.
fn new_key<'a>(env: Env<'a>, key: UserHasher) -> napi::Result<Value<'a>> {
  let failed = |what: &str| {
    napi::Error::new(
      napi::Status::GenericFailure,
      format!("atlas-user-hash: {what}"),
    )
  };
  let Some(token) = KEYS.with(|keys| keys.borrow_mut().next_token()) else {
    return Err(failed("this thread has made all the keys it can"));
  };
  if wrapped_keys(env) {
    let object = env
      .wrapped_object::<FreeKey>(token)
      .ok_or_else(|| failed("no object for a key"))?;
    KEYS.with(|keys| keys.borrow_mut().insert(token, None, key));
    return Ok(object);
  }
  let external = env
    .external(token)
    .ok_or_else(|| failed("no External for a key"))?;
  let finalizer = env
    .add_finalizer::<FreeKey>(external, token)
    .ok_or_else(|| failed("no finalizer for a key"))?;
  KEYS.with(|keys| keys.borrow_mut().insert(token, Some(finalizer), key));
  Ok(external)
}

/// The finalizer of a key that was never dropped: frees its state once its External (or
/// wrapped object) is garbage. At thread exit the registry may already be gone, and its keys
/// with it; a registry that cannot be borrowed keeps the key rather than panic in the
/// collector (in the wasm build a panic there would trap inside the runtime's GC callback).
struct FreeKey;

impl OnGarbage for FreeKey {
  fn collected(env: Env<'_>, token: usize) {
    let removed = KEYS.try_with(|keys| {
      let mut keys = keys.try_borrow_mut().ok()?;
      keys.remove(token)
    });
    if let Ok(Some(Some(finalizer))) = removed {
      // Node asks that the reference be deleted in this callback, once.
      env.delete(finalizer);
    }
  }
}

/// Adds `hash(userId, key)`, `verify(userId, userHash, key)` and `dropKey(key)` to the
/// module's `exports` (their types are in `src/raw.d.ts`, which `napi build` puts at the top
/// of `binding.d.ts`); `None` if Node-API refused one.
fn register_exports<'a>(env: Env<'a>, exports: Value<'a>) -> Option<()> {
  env
    .export::<Hash>(exports)
    .and_then(|()| env.export::<Verify>(exports))
    .and_then(|()| env.export::<DropKey>(exports))
}

/// `hash(userId, key)`: the user hash of `userId` with `key` (from `createKey`), or a
/// negative status number when the call panicked (see `engine::Status`).
struct Hash;

impl Export for Hash {
  const NAME: &'static std::ffi::CStr = c"hash";
  fn run<'a>(call: &Call<'a>) -> Option<Value<'a>> {
    let env = call.env();
    let [id, key] = call.arguments()?;
    let mut id_text = Utf8Buffer::new();
    let user_id = id_text.read(env, id)?;
    let token = token_of(env, key)?;
    let outcome = with_key(token, |key| engine::hash(user_id, key))?;
    reply(env, outcome, |hex| env.latin1(&hex))
  }
}

/// `verify(userId, userHash, key)`: whether `userHash` is the user hash of `userId` with
/// `key`, compared in constant time; a negative status number when the call panicked.
struct Verify;

impl Export for Verify {
  const NAME: &'static std::ffi::CStr = c"verify";
  fn run<'a>(call: &Call<'a>) -> Option<Value<'a>> {
    let env = call.env();
    let [id, claimed, key] = call.arguments()?;
    let (mut id_text, mut hash_text) = (Utf8Buffer::new(), Utf8Buffer::new());
    let user_id = id_text.read(env, id)?;
    let user_hash = hash_text.read(env, claimed)?;
    let token = token_of(env, key)?;
    let outcome = with_key(token, |key| engine::verify(user_id, user_hash, key))?;
    reply(env, outcome, |matches| env.boolean(matches))
  }
}

/// `dropKey(key)`: frees the state of `key` now. The External (or object) is then no key: `hash` and
/// `verify` refuse it with an error. Anything that is not a live key is left as it is.
struct DropKey;

impl Export for DropKey {
  const NAME: &'static std::ffi::CStr = c"dropKey";
  fn run<'a>(call: &Call<'a>) -> Option<Value<'a>> {
    let env = call.env();
    let [key] = call.arguments()?;
    let removed =
      token_of(env, key).and_then(|token| KEYS.with(|keys| keys.borrow_mut().remove(token)));
    match removed {
      // Deleting the reference cancels the finalizer; the entry is gone, so this runs once.
      Some(Some(finalizer)) => env.delete(finalizer),
      // A wrapped key: removing the wrap cancels its finalizer.
      Some(None) => env.remove_wrap(key),
      None => {}
    }
    env.undefined()
  }
}

/// The call's return value for what the engine gave: `value` of the result, or the status
/// number when the call panicked.
fn reply<'a, T>(
  env: Env<'a>,
  outcome: Result<T, Status>,
  value: impl FnOnce(T) -> Option<Value<'a>>,
) -> Option<Value<'a>> {
  match outcome {
    Ok(result) => value(result),
    Err(status) => env.int32(status as i32),
  }
}
