'use strict'

// Shared by the ESM and CommonJS examples: a sample user as an ORM would return it, and a
// demo secret for when ATLAS_SECRET is not set (never do this in a real app).
const DEMO_SECRET = 'demo-secret-do-not-use-in-production'

function useDemoSecretIfUnset() {
  if (process.env.ATLAS_SECRET) return
  process.env.ATLAS_SECRET = DEMO_SECRET
  console.error('ATLAS_SECRET is not set: using a demo secret. Set ATLAS_SECRET to your Atlas secret for real hashes.')
}

const demoUser = {
  id: 'user_100123',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  passwordHash: '$argon2id$v=19$…', // extra fields never reach the result
  role: 'admin',
}

module.exports = { demoUser, useDemoSecretIfUnset }
