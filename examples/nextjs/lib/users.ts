import "server-only"
import { cookies } from "next/headers"

// A stand-in for a user table and a session: a cookie names one of a few demo users.
// Real apps use their own auth; all the Atlas part needs is the signed-in user or null.

export interface DemoUser {
  id: string | number
  name: string
  email: string | null
  passwordHash: string // never reaches the browser: generateAtlasUserObject copies four fields
}

export const SESSION_COOKIE = "demo-user"

// Kept on globalThis so that every route bundle of this server process shares one table.
const store = globalThis as typeof globalThis & { atlasDemoUsers?: Map<string, DemoUser> }
store.atlasDemoUsers ??= new Map<string, DemoUser>(
  [
    { id: "user_100123", name: "Ada Lovelace", email: "ada@example.com", passwordHash: "$argon2id$demo-ada" },
    { id: 4711, name: "Grace Hopper", email: null, passwordHash: "$argon2id$demo-grace" },
  ].map((user) => [String(user.id), user]),
)
const users = store.atlasDemoUsers

export function demoUsers(): DemoUser[] {
  return [...users.values()]
}

export function findUser(id: string | undefined): DemoUser | null {
  return (id && users.get(id)) || null
}

/** The signed-in demo user, or null when signed out. */
export async function getCurrentUser(): Promise<DemoUser | null> {
  return findUser((await cookies()).get(SESSION_COOKIE)?.value)
}
