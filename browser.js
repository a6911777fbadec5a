'use strict'

// What bundlers get for atlas-user-hash in browser code (the "browser" export condition):
// the addon and ATLAS_SECRET exist only on the server. Requiring a module named after the
// fix makes webpack and Turbopack stop the build with this sentence, and makes anything
// that runs this file anyway throw it.
require('./atlas-user-hash is server-only: call it in a server component, route handler or server action')

// The real module's export names, so that a bundler reports the line above rather than a
// missing export.
exports.generateAtlasUserObject = exports.createUserHash = exports.verifyUserHash = undefined
