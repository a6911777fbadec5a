import { generateAtlasUserObject } from "atlas-user-hash"

import { getCurrentUser } from "@/lib/users"

// GET /api/atlas-user: the object for window.Atlas.call("identify", …), or {} when signed out.
export async function GET() {
  return Response.json(generateAtlasUserObject(await getCurrentUser()))
}
