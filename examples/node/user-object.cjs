// CommonJS: print the Atlas user object for a numeric id, and check a hash.
//   ATLAS_SECRET=… node examples/node/user-object.cjs
const { generateAtlasUserObject, verifyUserHash } = require('atlas-user-hash')

const { demoUser, useDemoSecretIfUnset } = require('./demo-user.js')

useDemoSecretIfUnset()
const atlasUser = generateAtlasUserObject({ ...demoUser, id: 100123 })
console.log(atlasUser)
console.log('verifies:', verifyUserHash(atlasUser.userId, atlasUser.userHash))
