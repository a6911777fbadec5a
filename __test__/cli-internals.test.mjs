// The command's internals in bin/, in process: the .env reader against @next/env itself (a
// table of tricky files, then random ones; the oracle runs in capped children, see
// next-env.mjs), the reader's growth with the file's size, and the redaction of secrets in
// messages. cli.test.mjs runs the installed command.
//
// The random cases come from a seed, printed when the test starts and in any failure:
// ATLAS_TEST_SEED=<seed> replays them.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { runs } from './helpers.mjs'
import { asProcessEnv, nextJsReads, weRead } from './next-env.mjs'

const require = createRequire(import.meta.url)
const { parseEnvText, expandLikeNextJs, readLikeNextJs, loadFilesLikeNextJs, EnvFileError } = require('../bin/env-file.js')
const { hideWholeSecrets, redactSecrets } = require('../bin/redact.js')
const { knownCauses } = require('../bin/runtime-report.js')
const { missingBindingMessage } = require('../lib/load-binding.js')
const { detectHost, expectedPackage } = require('../lib/load-binding.js')

/** The seed of this run's random cases: ATLAS_TEST_SEED, else a new one. */
const SEED = process.env.ATLAS_TEST_SEED ? Number(process.env.ATLAS_TEST_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0
assert.ok(Number.isSafeInteger(SEED), 'ATLAS_TEST_SEED must be an integer')
const replay = `seed ${SEED}: replay with ATLAS_TEST_SEED=${SEED}`

/**
 * Compares the reader with @next/env on `cases`: the same files failing and the same
 * values, and where the oracle's child died on a case (out of heap, stack or time), the
 * reader must say that Next.js fails to load a file of it. Returns how many cases the
 * oracle lost that way.
 */
function assertAgree(cases, label) {
  const answers = nextJsReads(cases)
  let lost = 0
  cases.forEach((testCase, i) => {
    const ours = weRead(testCase)
    const where = `${label} case ${i}: ${JSON.stringify(testCase)}`
    if (answers[i].blewUp) {
      lost++
      assert.ok(ours.failed.some(Boolean), `@next/env died (${answers[i].blewUp}) where the reader loads every file: ${where}`)
    } else {
      assert.deepEqual(ours, answers[i].result, where)
    }
    if (testCase.texts.length === 1) assertOneFileReadingAgrees(testCase, ours, where)
  })
  return lost
}

/** readLikeNextJs, which --dotenv uses for ATLAS_SECRET, gives what loading the one file gives. */
function assertOneFileReadingAgrees({ texts: [text], env }, ours, where) {
  const { parsed } = parseEnvText(text)
  let value
  try {
    value = readLikeNextJs(parsed, asProcessEnv(env), 'ATLAS_SECRET').value
  } catch (error) {
    assert.ok(error instanceof EnvFileError, where)
    assert.deepEqual(ours.failed, [true], where)
    return
  }
  if (Object.hasOwn(parsed, 'ATLAS_SECRET')) assert.equal(value, ours.values.ATLAS_SECRET, where)
  else assert.equal(value, Object.hasOwn(env, 'ATLAS_SECRET') ? env.ATLAS_SECRET : undefined, where)
}

describe('the .env reader gives what @next/env gives', () => {
  const env = { HOME_DIR: '/home/ada', EMPTY: '' }
  const texts = [
    'A=plain\nB = spaced out  \nexport C=exported\n',
    '# comment\nA=value # comment\nB=value#not-a-comment?\nC="quoted # kept" # comment\n',
    "A='single'\nB=\"double\"\nC=`back`\nD=''\nE=\nF\n",
    'A="line1\\nline2"\nB=\'line1\\nline2\'\nC="tab\\tstays \\"quoted\\""\nD=`x\\ny`\n',
    'A="first\nsecond"\nB=after\n',
    "A='multi\nline # not a comment\n'\nB=1\n",
    'A=one\r\nB="two"\r\nC=three\r\n',
    'A=old\nA=new\n',
    'A=  untrimmed "quotes" inside  \n',
    'A="unclosed\nB=next\n',
    'A="x" trailing\n',
    'A: yaml\nB:nospace\n',
    '\uFEFFA=bom\n  export   B = "spaced" \n',
    'A=x\nB=${A}-$A-${MISSING:-fallback}-$HOME_DIR\n',
    'A=\\$literal\nB=price$5\nC=a$\nD=${EMPTY:-d}\n',
    "A='$HOME_DIR'\n",
    'HOME_DIR=from-file\nB=$HOME_DIR\n',
    'A=$B\nB=b\n',
    'A=${B:-d}\nB=b\n',
    // Blank lines before a # line: no entry starts in them, whichever line start one tries.
    '\n\n\n\n# c\nA=1\n\n  \n\t\n#x=2\n\n\nB=2\n',
    'A="x\0y"\nB=$toString\nC=${constructor}\nD=$__proto__\n1=first\n__proto__=lost\n',
    'A=$hasOwnProperty\n',
    'A=x$A\n',
    // A reference to itself that doubles at each step: the oracle runs out of memory or stack.
    'A=x$`$A\n',
  ]
  it('a table of tricky files, one at a time', () => {
    assertAgree(texts.map((text) => ({ texts: [text], env })), 'table')
  })

  it('several files, in the order Next.js loads them: the first definition wins, later files see earlier ones', () => {
    const cases = [
      { texts: ['A=local\n', 'A=base\nB=$A\n'], env: {} },
      { texts: ['A=x-$B\n', 'B=b\nC=$A\n'], env: {} },
      { texts: ['ATLAS_SECRET=$HOME_DIR\n', 'ATLAS_SECRET=base\n'], env: { HOME_DIR: '/h' } },
      { texts: ['A=x$A\n', 'A=ok\nB=$A\n'], env: {} },
      { texts: ['toString=a\n', 'toString=b\n'], env: {} },
      { texts: ['A=one$B\n', 'A=two\n'], env: { A: 'env$C', C: 'c' } },
      // process.env keeps an array index's value as given, NUL included (found with ATLAS_TEST_SEED=164984652)
      { texts: ['1="a\0b"\n01="a\0b"\n', 'C=x$1\nD=x$01\n'], env: {} },
    ]
    assertAgree(cases, 'files')
    assert.deepEqual(loadFilesLikeNextJs([{ name: '.env.local', text: 'A=local\n' }, { name: '.env', text: 'A=base\nB=$A\n' }], {}).final, { A: 'local', B: 'local' })
  })

  it('where the environment sets a key the file defines, it wins and is expanded; else it is kept as it is', () => {
    const text = 'A=file\nB=file\n'
    const environment = { A: 'env-$HOME_DIR', C: 'env-$HOME_DIR', HOME_DIR: '/h' }
    assert.deepEqual(weRead({ texts: [text], env: environment }), { failed: [false], values: { A: 'env-/h', B: 'file' } })
    assertAgree([{ texts: [text], env: environment }], 'environment')
    assert.deepEqual(readLikeNextJs(parseEnvText(text).parsed, environment, 'C'), { value: 'env-$HOME_DIR', expanded: 'env-$HOME_DIR', wins: 'environment' })
    assert.deepEqual(readLikeNextJs(parseEnvText(text).parsed, {}, 'C'), { value: undefined, expanded: undefined, wins: null })
  })

  it(`random files and environments (${replay})`, (t) => {
    t.diagnostic(replay)
    const cases = fc.sample(randomCase(), { seed: SEED, numRuns: runs(1000) })
    const lost = assertAgree(cases, replay)
    t.diagnostic(`${cases.length} cases, ${lost} of them lost by the oracle (its child died; the reader said Next.js fails to load them)`)
  })

  it('gives the line of each definition, its quote, and whether a # cut an unquoted value', () => {
    assert.deepEqual(parseEnvText('# c\nA="x"\n\nB=y#z\nexport C=`w`\n\n\n\nD="a\nb"\nE=1\n').entries, [
      { key: 'A', line: 2, quote: '"', commentCut: false },
      { key: 'B', line: 4, quote: '', commentCut: true },
      { key: 'C', line: 5, quote: '`', commentCut: false },
      { key: 'D', line: 9, quote: '"', commentCut: false },
      { key: 'E', line: 11, quote: '', commentCut: false },
    ])
  })

  it('throws EnvFileError for references that never finish expanding, or grow without end (Next.js fails to load such a file)', () => {
    assert.throws(() => expandLikeNextJs(parseEnvText('A=x$A\n').parsed, {}), (error) => error instanceof EnvFileError && /never finish expanding/.test(error.message))
    assert.throws(() => expandLikeNextJs(parseEnvText('A=x$`$A\n').parsed, {}), (error) => error instanceof EnvFileError && /past 1 Mi characters/.test(error.message))
  })
})

/** Random .env files (one to four, loaded in order) and environments, full of what the reader must get right. */
function randomCase() {
  const piece = fc.constantFrom('x', 'Y7', ' ', '  ', '$A', '${ATLAS_SECRET}', '${B:-d}', '${A:-}', '$HOME_X', '${HOME_X}x', '\\$A', '$', '#', ' # c', '"', "'", '`',
    '\\n', '\\', '$toString', '${constructor}', '$__proto__', '$valueOf', '$&', '$1', '=', ':', '\0', 'é', '\uFEFF', '\t', '\n')
  const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''))
  const quoted = fc.tuple(fc.constantFrom('', '', '"', "'", '`'), value).map(([quote, text]) => `${quote}${text}${quote}`)
  const key = fc.constantFrom('A', 'ATLAS_SECRET', 'ATLAS_SECRET', 'C', 'toString', 'constructor', '__proto__', '1', 'a.b-c')
  const entry = fc.tuple(fc.constantFrom('', 'export ', '  '), key, fc.constantFrom('=', ' = ', ': ', ':'), quoted, fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' # note\n', ''))
  const line = fc.oneof({ weight: 4, arbitrary: entry.map((parts) => parts.join('')) }, fc.constantFrom('# comment\n', '\n', '   \n', 'junk\n', '"\n'))
  const file = fc.array(line, { maxLength: 8 }).map((lines) => lines.join(''))
  const envValue = fc.array(fc.constantFrom('x', '$A', '${B}', '$HOME_X', '\\$', '$toString', ' ', '#'), { maxLength: 3 }).map((parts) => parts.join(''))
  const env = fc.record({ ATLAS_SECRET: envValue, A: envValue, B: envValue, HOME_X: envValue }, { requiredKeys: [] })
  const texts = fc.oneof({ weight: 3, arbitrary: file.map((text) => [text]) }, fc.array(file, { minLength: 2, maxLength: 4 }))
  return fc.record({ texts, env })
}

describe('the .env reader takes time in proportion to the file', () => {
  /**
   * One reading: ms to run `read(text)` `times` times over, after one run untimed, so that the
   * garbage a reading pays to collect is its own kind, not a larger file's.
   */
  function timeRead(read, text, times) {
    read(text)
    const started = performance.now()
    for (let i = 0; i < times; i++) read(text)
    return performance.now() - started
  }
  const reader = (text) => readLikeNextJs(parseEnvText(text).parsed, {}, 'ATLAS_SECRET')
  // A reference that is linear by construction and fills the heap as the reader does (a key
  // and a value per line, then a copy): on a busy machine a bigger heap costs more per entry,
  // and comparing with it takes that out. It measured 7 to 13 times as long for 8 times the
  // file, and the reader 0.6 to 1.2 times what it did.
  const reference = (text) => {
    const values = {}
    for (const line of text.split('\n')) values[line.slice(0, line.indexOf('='))] = { value: line.slice(line.indexOf('=') + 1), length: line.length }
    return Object.assign({}, values)
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const files = {
    entries: (n) => `${Array.from({ length: n }, (_, i) => `KEY_${i}=value_${i}`).join('\n')}\nATLAS_SECRET=x\n`,
    'blank lines before a # line': (n) => `${'\n'.repeat(n)}# comment\nATLAS_SECRET=x\n`,
  }
  // 8 times the file: the reader's growth over the reference's is about 1 where the reader
  // is linear, 8 where it is square.
  const SIZES = [5_000, 40_000]
  const ROUNDS = 7
  const LIMIT = 3
  for (const [name, make] of Object.entries(files)) {
    it(`${name}: 5k and 40k, ${ROUNDS} readings each, interleaved with a linear reference; the reader grows under ${LIMIT} times as fast`, (t) => {
      const texts = SIZES.map(make)
      for (const text of texts) timeRead(reader, text, 1) // warm up
      // Enough repetitions of the small file for 20 ms a reading (the least of 3 decides, so a
      // pause on a busy machine cannot make it too few), the same number for each size.
      let times = 1
      while (times < 100_000 && Math.min(...[1, 2, 3].map(() => timeRead(reader, texts[0], times))) < 20) times *= 2
      // Up to 3 measurements: a busy machine slows some readings, never a square into a line.
      let report
      for (let attempt = 1; attempt <= 3; attempt++) {
        const readings = { reader: SIZES.map(() => []), reference: SIZES.map(() => []) }
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, text] of texts.entries()) {
            readings.reader[i].push(timeRead(reader, text, times))
            readings.reference[i].push(timeRead(reference, text, times))
          }
        }
        for (const reading of [...readings.reader.flat(), ...readings.reference.flat()]) assert.ok(Number.isFinite(reading) && reading > 0, `a reading of ${reading} ms`)
        const [small, large] = readings.reader.map(median)
        const [refSmall, refLarge] = readings.reference.map(median)
        const growth = large / small / (refLarge / refSmall)
        report =
          `attempt ${attempt}: reader medians 5k: ${small.toFixed(2)} ms, 40k: ${large.toFixed(2)} ms (x${(large / small).toFixed(1)}); ` +
          `reference x${(refLarge / refSmall).toFixed(1)}; growth over the reference ${growth.toFixed(2)} (${ROUNDS} readings each of ${times} reads)`
        t.diagnostic(report)
        if (growth < LIMIT) return
      }
      assert.fail(report)
    })
  }
})

describe('redaction', () => {
  const secret = 'Qx7vZk2mWp9tLr4nBj8hYc3s'

  it('in a message from elsewhere: hides each stretch that matches a piece of the secret, keeps the rest', () => {
    assert.equal(redactSecrets(`bad key "${secret}" at offset 3`, [secret]), 'bad key "[hidden: part of the secret]" at offset 3')
    assert.equal(redactSecrets(`starts ${secret.slice(0, 9)}…`, [secret]), 'starts [hidden: part of the secret]…')
    assert.equal(redactSecrets(`pieces ${secret.slice(0, 6)} and ${secret.slice(10, 17)}.`, [`  ${secret}\n`]), 'pieces [hidden: part of the secret] and [hidden: part of the secret].')
    assert.equal(redactSecrets('nothing of it here', [secret, undefined, '']), 'nothing of it here')
    assert.equal(redactSecrets('short abc key', ['abc']), 'short [hidden: part of the secret] key')
  })

  it('keeps text the user typed that shares a piece with the secret, unless it holds all of it', () => {
    const newbie = 'newbie-test-secret-4f9a2b'
    const message = "ENOENT: no such file or directory, open '/srv/newbie/bad.env'"
    assert.equal(redactSecrets(message, [newbie], ['/srv/newbie/bad.env']), message)
    assert.equal(redactSecrets(message, [newbie]), "ENOENT: no such file or directory, open '/srv/[hidden: part of the secret]/bad.env'")
    assert.equal(redactSecrets(`open '/x/${newbie}.env'`, [newbie], [`/x/${newbie}.env`]), "open '/x/[hidden: part of the secret].env'")
  })

  it('in the command\'s own sentences: only a whole secret, so its words stay', () => {
    const newbie = 'newbie-test-secret-4f9a2b'
    const sentence = 'ATLAS_SECRET in /srv/newbie/bad.env (line 1) ends with a newline (\\n): Atlas rejects every hash made with it'
    assert.equal(hideWholeSecrets(sentence, [newbie]), sentence)
    assert.equal(hideWholeSecrets(`--dotenv /x/${newbie}`, [`${newbie}\n`]), '--dotenv /x/[hidden: part of the secret]')
  })
})

describe('doctor\'s known causes of a missing binary', () => {
  it('give the fixes the loader\'s own message gives, word for word', () => {
    const pkg = require('../package.json')
    const expected = expectedPackage()
    const message = missingBindingMessage(detectHost(), pkg)
    for (const { fix } of knownCauses(expected, pkg.version)) assert.ok(message.includes(fix), `the loader's message does not say ${fix}:\n${message}`)
    assert.ok(message.includes('https://github.com/npm/cli/issues/4828'))
  })
})
