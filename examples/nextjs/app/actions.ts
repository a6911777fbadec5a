"use server"

import { generateAtlasUserObject, type AtlasUserObject } from "atlas-user-hash"
import { cookies } from "next/headers"
import { revalidatePath } from "next/cache"

import { findUser, getCurrentUser, SESSION_COOKIE } from "@/lib/users"

export async function signIn(formData: FormData) {
  const user = findUser(String(formData.get("userId")))
  if (user) (await cookies()).set(SESSION_COOKIE, String(user.id), { httpOnly: true, sameSite: "lax", path: "/" })
  revalidatePath("/", "layout")
}

export async function signOut() {
  ;(await cookies()).delete(SESSION_COOKIE)
  revalidatePath("/", "layout")
}

/**
 * Renames the signed-in user and returns their fresh Atlas object, so that the client can
 * re-identify at once; `{}` when signed out.
 */
export async function renameUser(formData: FormData): Promise<AtlasUserObject<string | number> | {}> {
  const user = await getCurrentUser()
  const name = String(formData.get("name") ?? "").trim()
  if (!user || !name) return generateAtlasUserObject(user)
  user.name = name.slice(0, 100)
  revalidatePath("/", "layout")
  return generateAtlasUserObject(user)
}
