import { engine, generateAtlasUserObject } from "atlas-user-hash"

import { getCurrentUser } from "@/lib/users"

// The same route on the Edge runtime: there the package's "edge-light" export gives the
// pure-JavaScript engine (a native addon cannot load on the Edge), with the same hashes and
// errors. ATLAS_SECRET is read from process.env at request time, as in Node.
export const runtime = "edge"

// GET /api/atlas-user-edge: the object for window.Atlas.call("identify", …), or {} when signed
// out. The x-atlas-engine header says which engine hashed it ("js" here).
export async function GET() {
  return Response.json(generateAtlasUserObject(await getCurrentUser()), { headers: { "x-atlas-engine": engine } })
}
