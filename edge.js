'use strict'

// What bundlers get for atlas-user-hash on edge runtimes (the "edge-light", "workerd" and
// "worker" export conditions), which cannot load a native addon. Requiring a module named
// after the fix makes webpack and Turbopack stop the build with this sentence.
require('./atlas-user-hash needs the Node.js runtime, not the Edge runtime: add export const runtime = "nodejs"')

// The real module's export names, so that a bundler reports the line above rather than a
// missing export.
exports.generateAtlasUserObject = exports.createUserHash = exports.verifyUserHash = undefined
