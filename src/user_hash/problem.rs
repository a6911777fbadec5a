/// Why a secret cannot be used. The engine reports only which check failed; the JavaScript
/// contract layer (`lib/contract.js`) owns the error's class, code and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretProblem {
  /// No secret, or an empty one: a hash keyed with `""` is one Atlas rejects.
  Empty,
  /// A text secret with leading or trailing whitespace, e.g. a pasted newline.
  Whitespace,
}
