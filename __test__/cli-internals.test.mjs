// The command's internals in bin/, in process: the .env reader against @next/env itself (a
// table of tricky files, then random ones), the reader's growth with the file's size, and
// the redaction of secrets in messages. cli.test.mjs runs the installed command.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runs } from './helpers.mjs'
import { nextJsReads, weRead } from './next-env.mjs'

const require = createRequire(import.meta.url)
const { parseEnvText, expandLikeNextJs, readLikeNextJs, EnvFileError } = require('../bin/env-file.js')
const { hideWholeSecrets, redactSecrets } = require('../bin/redact.js')

describe('the .env reader gives what @next/env gives', () => {
  const env = { HOME_DIR: '/home/ada', EMPTY: '' }
  const cases = [
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
  ]
  for (const text of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(weRead(text, env), nextJsReads(text, env))
    })
  }

  it('where the environment sets a key the file defines, it wins and is expanded; else it is kept as it is', () => {
    const text = 'A=file\nB=file\n'
    const environment = { A: 'env-$HOME_DIR', C: 'env-$HOME_DIR', HOME_DIR: '/h' }
    assert.deepEqual(weRead(text, environment), { values: { A: 'env-/h', B: 'file' } })
    assert.deepEqual(weRead(text, environment), nextJsReads(text, environment))
    assert.deepEqual(readLikeNextJs(parseEnvText(text).parsed, environment, 'C'), { value: 'env-$HOME_DIR', expanded: 'env-$HOME_DIR', wins: 'environment' })
    assert.deepEqual(readLikeNextJs(parseEnvText(text).parsed, {}, 'C'), { value: undefined, expanded: undefined, wins: null })
  })

  // @next/env (dotenv-expand) recurses without bound on self-referencing values: on Linux a small
  // stack stops it; Windows Node under Wine ran out of heap first. The parser is the same code on
  // every platform, and windows.test.mjs checks what differs there (CRLF files, paths).
  const oracleSkip = process.platform === 'win32' && 'the @next/env oracle runs out of heap on self-referencing values under Windows Node; run on Linux'

  it('random files and environments (in a Node with a small stack: see next-env.mjs)', { skip: oracleSkip }, () => {
    const child = spawnSync(process.execPath, ['--stack-size=200', fileURLToPath(new URL('./next-env.mjs', import.meta.url)), String(runs(1000))], { encoding: 'utf8' })
    assert.equal(child.status, 0, `${child.stdout}${child.stderr}`)
    assert.match(child.stdout, /^\d+ random files: the same values as @next\/env\n$/)
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

  it('throws EnvFileError for references that never finish expanding (Next.js fails to load such a file)', () => {
    assert.throws(() => expandLikeNextJs(parseEnvText('A=x$A\n').parsed, {}), (error) => error instanceof EnvFileError && /never finish expanding/.test(error.message))
  })
})

describe('the .env reader takes time in proportion to the file', () => {
  /**
   * The least of 3 to 5 timings, in ms, of reading `text` `times` times over (5 where they
   * are short, and noise weighs more).
   */
  function timeRead(text, times) {
    let best = Infinity
    for (let round = 0; round < 5 && (round < 3 || best <= 200); round++) {
      const started = performance.now()
      for (let i = 0; i < times; i++) readLikeNextJs(parseEnvText(text).parsed, {}, 'ATLAS_SECRET')
      best = Math.min(best, performance.now() - started)
    }
    return best
  }
  const files = {
    entries: (n) => `${Array.from({ length: n }, (_, i) => `KEY_${i}=value_${i}`).join('\n')}\nATLAS_SECRET=x\n`,
    'blank lines before a # line': (n) => `${'\n'.repeat(n)}# comment\nATLAS_SECRET=x\n`,
  }
  for (const [name, make] of Object.entries(files)) {
    it(`${name}: 10k, 20k and 40k; 4 times the file takes well under 10 times as long (16 for a square)`, (t) => {
      const [small, medium, large] = [10_000, 20_000, 40_000].map(make)
      // Enough readings of the small file to take some 20 ms, the same number for each size.
      const times = Math.max(1, Math.ceil(20 / Math.max(timeRead(small, 1), 0.01)))
      const t10 = timeRead(small, times)
      const t20 = timeRead(medium, times)
      const report = (t40) => `10k: ${t10.toFixed(2)} ms, 20k: ${t20.toFixed(2)} ms, 40k: ${t40.toFixed(2)} ms (${times} readings each)`
      assert.ok(t20 / t10 < 3.5, report(Number.NaN)) // twice the file, about twice the time; a square takes four
      const t40 = timeRead(large, times)
      // Linear here gives 4 to 6 (a bigger heap costs a little more per entry), a square 16.
      t.diagnostic(report(t40))
      assert.ok(t40 / t10 < 10, report(t40))
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
