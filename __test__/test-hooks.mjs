// The addon's test hooks (armTestPanic, liveKeyCount, useWrappedKeys), which only a test build has: the cargo
// feature `test-hooks`, built by `npm run build:test` (`npm test` runs it and checks that the
// result has them). A release build (`npm run build`, the packaged binaries) has neither, and
// the tests that need them are skipped there with this reason.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { binding } = require('../lib/load-binding.js').loadBinding()

/** The loaded addon when it is a test build, else null. */
export const hooks = typeof binding.armTestPanic === 'function' && typeof binding.liveKeyCount === 'function' && typeof binding.useWrappedKeys === 'function' ? binding : null

/** node:test options for a test that needs the hooks: skipped, with the reason, without them. */
export const needsHooks = hooks
  ? {}
  : { skip: 'the loaded addon is a release build, without the test hooks armTestPanic, liveKeyCount and useWrappedKeys: `npm run build:test` makes a test build (`npm test` does)' }
