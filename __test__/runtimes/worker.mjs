// A Cloudflare Worker that uses atlas-user-hash as a user's Worker would, bundled by
// __test__/workerd.test.mjs as wrangler bundles it and run in workerd through Miniflare.
// ATLAS_SECRET is a binding: `env.ATLAS_SECRET`, and `process.env.ATLAS_SECRET` too where
// nodejs_compat puts the bindings there.
import { createUserHash, engine, generateAtlasUserObject, verifyUserHash } from 'atlas-user-hash'

function attempt(fn) {
  try {
    return { value: fn() }
  } catch (error) {
    return { error: { name: error.name, code: error.code, message: error.message, isTypeError: error instanceof TypeError } }
  }
}

function hexBytes(hex) {
  return Uint8Array.from(hex.match(/../g) || [], (byte) => Number.parseInt(byte, 16))
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/vectors') {
      // Every vector with { secret } as text and as bytes.
      const vectors = await request.json()
      const hashes = vectors.map((v) => [createUserHash(v.id, { secret: v.secret }), createUserHash(v.id, { secret: hexBytes(v.secretUtf8Hex) })])
      return Response.json({ engine, hashes })
    }
    if (url.pathname === '/bench') {
      const n = Number(url.searchParams.get('n') || 100000)
      const secret = { secret: env.ATLAS_SECRET }
      for (let i = 0; i < 1000; i++) createUserHash(`user_${i}`, secret)
      // workerd's clock advances only on I/O, so the caller times the request instead.
      for (let i = 0; i < n; i++) createUserHash(`user_${100000 + i}`, secret)
      return Response.json({ engine, n })
    }
    const id = url.searchParams.get('id')
    const user = { id, name: 'Ada', email: 'ada@example.com' }
    const withOptions = attempt(() => generateAtlasUserObject(user, { secret: env.ATLAS_SECRET }))
    return Response.json({
      engine,
      hasProcess: typeof process === 'object' && process !== null,
      withOptions,
      fromEnv: attempt(() => generateAtlasUserObject(user)),
      hashFromEnv: attempt(() => createUserHash(id)),
      verifyWithOptions: attempt(() => verifyUserHash(id, withOptions.value?.userHash, { secret: env.ATLAS_SECRET })),
      invalidId: attempt(() => createUserHash('', { secret: env.ATLAS_SECRET })),
      noUser: attempt(() => generateAtlasUserObject(null)),
    })
  },
}
