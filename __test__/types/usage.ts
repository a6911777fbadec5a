// Type test, compiled with `tsc --noEmit` (npm run test:types): right uses compile and each
// wrong one is an error (a `@ts-expect-error` that finds no error fails the build).
import { createUserHash, type engine, generateAtlasUserObject, verifyUserHash } from 'atlas-user-hash'
import type { AtlasOptions, AtlasUser, AtlasUserObject } from 'atlas-user-hash'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
// Compiles only when the argument's type is exactly T: not a subtype, not `any`.
const expectType =
  <T>() =>
  <U>(value: U, ..._exact: Equals<T, U> extends true ? [] : [never]) =>
    value
const assertEquals = <A, B>(check: Equals<A, B>) => check

// A whole ORM record, with fields Atlas must never see, type-checks as the argument.
interface DbUser {
  id: string
  name: string | null
  email: string
  passwordHash: string
  role: 'admin' | 'member'
  createdAt: Date
}
declare const dbUser: DbUser
const fromRecord = generateAtlasUserObject(dbUser)
assertEquals<typeof fromRecord, AtlasUserObject<string>>(true)
expectType<string>()(fromRecord.userId)
expectType<string>()(fromRecord.userHash)
expectType<string | null | undefined>()(fromRecord.name)
// @ts-expect-error only the four documented fields are in the result
fromRecord.passwordHash

// Numeric and bigint ids keep their type in userId.
const numeric = generateAtlasUserObject({ id: 42 })
assertEquals<typeof numeric, AtlasUserObject<number>>(true)
expectType<bigint>()(generateAtlasUserObject({ id: 42n, name: 'Ada' }).userId)

// No user gives {}; a maybe-user gives the union.
const none = generateAtlasUserObject(null)
assertEquals<typeof none, {}>(true)
const noneFromUndefined = generateAtlasUserObject(undefined)
assertEquals<typeof noneFromUndefined, {}>(true)
// @ts-expect-error the result for no user has no userHash to read
noneFromUndefined.userHash
declare const maybeUser: DbUser | null
const maybe = generateAtlasUserObject(maybeUser)
assertEquals<typeof maybe, AtlasUserObject<string> | {}>(true)
if ('userHash' in maybe) expectType<string>()(maybe.userHash)

// Options.
const options: AtlasOptions = { secret: 'from-a-vault' }
generateAtlasUserObject(dbUser, options)
generateAtlasUserObject(dbUser, { secret: new Uint8Array([1, 2, 3]) })
generateAtlasUserObject(dbUser, { secret: Buffer.from('key') })
const user: AtlasUser = { id: 1, name: null }
expectType<string>()(createUserHash(user.id))
expectType<string>()(createUserHash('u', { secret: 's' }))
expectType<boolean>()(verifyUserHash(7n, 'ab'.repeat(32)))

// Which engine an import got.
assertEquals<typeof engine, 'native' | 'wasm32-wasi' | 'js'>(true)

// Wrong uses.
// @ts-expect-error a user needs an id
generateAtlasUserObject({ name: 'Ada' })
// @ts-expect-error an id cannot be a boolean
generateAtlasUserObject({ id: true })
// @ts-expect-error name must be a string, null or undefined
generateAtlasUserObject({ id: 'u', name: 42 })
// @ts-expect-error email must be a string, null or undefined
generateAtlasUserObject({ id: 'u', email: ['a@x'] })
// @ts-expect-error a secret is a string or bytes
generateAtlasUserObject(dbUser, { secret: 42 })
// @ts-expect-error an id is not an object
createUserHash({ id: 'u' })
// @ts-expect-error verifyUserHash needs the hash
verifyUserHash('u')
// @ts-expect-error the result has no secret
fromRecord.secret
