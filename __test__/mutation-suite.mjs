// What the mutation test (npm run test:mutation:js, Stryker) runs once per mutant: the
// tests of the contract layer and both engines, in one process and with the property
// tests at a tenth of their inputs (ATLAS_TEST_QUICK=1), so that a run takes seconds.
// Not a test file itself: `node --test __test__/` runs each of these files on its own.
import './errors.test.mjs'
import './user-object.test.mjs'
import './parity.test.mjs'
import './engines.test.mjs'
import './keys.test.mjs'
import './hostile.test.mjs'
import './property.test.mjs'
import './contract.test.mjs'
import './wasm-engine.test.mjs'
import './pollution.test.mjs'
