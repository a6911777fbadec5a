// atlas-user-hash for edge runtimes — the Next.js Edge runtime, Vercel Edge Functions and
// Cloudflare Workers (the "edge-light", "workerd" and "worker" export conditions): the same
// contract (lib/contract.js) on the pure-JavaScript hash engine (lib/engines/js.mjs), since a native
// addon cannot load there. Same functions, errors and hashes as in Node.
import contract from './lib/contract.js'
import { jsEngine } from './lib/engines/js.mjs'

const api = contract.createApi(jsEngine)

export const { generateAtlasUserObject, createUserHash, verifyUserHash, engine } = api
export default api
