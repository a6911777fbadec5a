// ESM: print the Atlas user object for a sample user.
//   ATLAS_SECRET=… node examples/node/user-object.mjs
import { generateAtlasUserObject } from 'atlas-user-hash'

import demo from './demo-user.js'

demo.useDemoSecretIfUnset()
console.log(generateAtlasUserObject(demo.demoUser))
