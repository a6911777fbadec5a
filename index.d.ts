/**
 * A signed-in user, as any record that has an `id` (extra fields such as `passwordHash`
 * or `role` are allowed and are never copied into the result).
 *
 * `id`, `name` and `email` are read where the record or a prototype in its chain holds them,
 * so a class instance's getters count (a Mongoose document's `id`), but never from the
 * chain's root, `Object.prototype`: `Object.prototype.id = 'admin'` names no user. A
 * null-prototype record (`Object.create(null)`) has its own fields read.
 */
export interface AtlasUser {
  /** The id Atlas knows the user by: a non-empty string, a safe integer or a bigint. */
  id: string | number | bigint
  /** Display name; `null` or `undefined` when unknown. */
  name?: string | null
  /** Email address; `null` or `undefined` when unknown. */
  email?: string | null
}

/** What `window.Atlas.call("identify", …)` takes: the user's fields and their user hash. */
export interface AtlasUserObject<Id = string | number | bigint> {
  /** The user's id, the same value as `user.id`. */
  userId: Id
  /** The user's name as given. */
  name?: string | null
  /** The user's email as given. */
  email?: string | null
  /** Lowercase hex HMAC-SHA256 of the id, keyed with the Atlas secret: 64 characters. */
  userHash: string
}

/** Options shared by every function. */
export interface AtlasOptions {
  /**
   * Overrides process.env.ATLAS_SECRET. A string is used as its UTF-8 bytes, a
   * `Uint8Array` (or `Buffer`) as raw key bytes. Leave the key out to read `ATLAS_SECRET`
   * at call time. Present but `undefined` (`{ secret: process.env.ATLAS_SECRET_OLD }` with that
   * variable unset) throws `ERR_ATLAS_SECRET_MISSING`: it never falls back to `ATLAS_SECRET`.
   * Read by the same rule as the user's fields: a getter on the options' class counts,
   * `Object.prototype.secret` never does.
   */
  secret?: string | Uint8Array
}

/**
 * Builds the object for `window.Atlas.call("identify", …)`: `{ userId, name, email, userHash }`,
 * where `userHash` is the lowercase hex HMAC-SHA256 of the id keyed with the secret
 * (`options.secret`, else `process.env.ATLAS_SECRET` read at call time). Bit for bit what
 * Atlas's documented `createHmac` helper returns, with numeric ids hashed as their decimal
 * text. Returns `{}` when there is no user.
 *
 * @throws {TypeError} `ERR_ATLAS_INVALID_USER` for a user that is not an object or a `name`/`email`
 *   that is not a string, null or undefined; `ERR_ATLAS_INVALID_USER_ID` for a missing, empty or
 *   non-integer id.
 * @throws {Error} `ERR_ATLAS_SECRET_MISSING` when there is no secret (or `options.secret` is
 *   `undefined`); `ERR_ATLAS_SECRET_INVALID` when it starts or ends with whitespace;
 *   `ERR_ATLAS_SECRET_PUBLIC` while `NEXT_PUBLIC_ATLAS_SECRET` is set (non-empty) in the server
 *   environment, which Next.js inlines into client bundles, even with `options.secret`.
 */
export function generateAtlasUserObject(user: null | undefined, options?: AtlasOptions): {}
export function generateAtlasUserObject<U extends AtlasUser>(user: U, options?: AtlasOptions): AtlasUserObject<U['id']>
export function generateAtlasUserObject<U extends AtlasUser>(
  user: U | null | undefined,
  options?: AtlasOptions,
): AtlasUserObject<U['id']> | {}

/**
 * The user hash of `userId`: lowercase hex HMAC-SHA256 keyed with the secret, 64 characters.
 * A number or bigint id is hashed as its decimal text.
 *
 * @throws {TypeError} `ERR_ATLAS_INVALID_USER_ID` for an empty or non-integer id.
 * @throws {Error} `ERR_ATLAS_SECRET_MISSING` or `ERR_ATLAS_SECRET_INVALID` for an unusable secret;
 *   `ERR_ATLAS_SECRET_PUBLIC` while `NEXT_PUBLIC_ATLAS_SECRET` is set.
 */
export function createUserHash(userId: string | number | bigint, options?: AtlasOptions): string

/**
 * Whether `userHash` is the user hash of `userId`, compared in constant time. Upper- and
 * lowercase hex are accepted; anything that is not 64 hex characters is `false`.
 *
 * @throws {TypeError} `ERR_ATLAS_INVALID_USER_ID` for an empty or non-integer id.
 * @throws {Error} `ERR_ATLAS_SECRET_MISSING` or `ERR_ATLAS_SECRET_INVALID` for an unusable secret;
 *   `ERR_ATLAS_SECRET_PUBLIC` while `NEXT_PUBLIC_ATLAS_SECRET` is set.
 */
export function verifyUserHash(userId: string | number | bigint, userHash: string, options?: AtlasOptions): boolean

/**
 * Which hash engine this import got: `'native'` (the Rust addon, in Node, Bun and Deno),
 * `'wasm32-wasi'` (the WebAssembly build, where no native binary fits) or `'js'` (the
 * pure-JavaScript engine of the `edge-light`, `workerd` and `worker` export conditions).
 * Every engine gives the same hashes and errors.
 */
export const engine: 'native' | 'wasm32-wasi' | 'js'
