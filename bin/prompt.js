'use strict'

// The hidden secret prompt of `atlas-user-hash --secret-stdin` at a terminal: reads one line
// without echo, like a password prompt, and says what a password prompt keeps quiet about:
// a paste of several lines (only the first is the secret; the others are read and dropped
// here, so they do not reach the shell as commands) and control characters typed into the
// secret, such as the escape sequences the arrow keys send (nothing moves the cursor in
// hidden input, so those bytes become part of the secret).

// After Enter, input that follows this quickly is the rest of a paste, not typing.
const PASTE_TAIL_MS = 60

/**
 * Reads a line from the terminal `stdin` without showing it. Enter (or Ctrl-D) ends it,
 * Backspace deletes, Ctrl-C cancels. Resolves to `{ value, notes }`, where `notes` warn
 * about a multi-line paste and control characters; rejects with `cancelled` on Ctrl-C.
 * @param {import('node:tty').ReadStream} stdin
 * @param {(text: string) => void} writeErr where the prompt goes
 * @param {() => Error} cancelled the error for Ctrl-C
 */
function readHiddenLine(stdin, writeErr, cancelled) {
  return new Promise((resolve, reject) => {
    // Echo goes off before the prompt shows: keys typed or pasted at once are not shown either.
    stdin.setRawMode(true)
    writeErr('ATLAS_SECRET (typing is not shown; press Enter when done): ')
    let text = ''
    let tail = null
    let timer = null
    const finish = (settle) => {
      clearTimeout(timer)
      stdin.removeListener('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      writeErr('\n')
      settle()
    }
    const done = () => finish(() => resolve({ value: text, notes: promptNotes(text, tail) }))
    function onData(chunk) {
      if (tail !== null) {
        tail += chunk
        return
      }
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]
        if (c === '\r' || c === '\n' || c === '\u0004') {
          // Keep reading for a moment: the rest of a paste arrives now, typing does not.
          tail = chunk.slice(i + 1)
          timer = setTimeout(done, PASTE_TAIL_MS)
          return
        }
        if (c === '\u0003') return finish(() => reject(cancelled()))
        if (c === '\u007f' || c === '\b') text = Array.from(text).slice(0, -1).join('')
        else text += c
      }
    }
    stdin.setEncoding('utf8')
    stdin.on('data', onData)
    stdin.resume()
  })
}

/** Warnings about what was typed or pasted at the prompt (never quoting any of it). */
function promptNotes(text, tail) {
  const notes = []
  const lines = tail.replace(/^\n/, '').split(/\r\n|\r|\n/).filter((line) => line !== '').length
  if (lines > 0) {
    notes.push(
      `the paste had ${lines} more line${lines === 1 ? '' : 's'} after the first: only the first line was taken as the secret, and the rest was dropped. ` +
        'If that was not the whole secret, or a whole .env was pasted, use --dotenv <path>, or pipe the secret in: pbpaste | atlas-user-hash doctor --secret-stdin',
    )
  }
  const controls = Array.from(text).filter(isControl).length
  if (controls > 0) {
    notes.push(
      `the secret typed has ${controls} control character${controls === 1 ? '' : 's'} in it, such as the escape sequences that the arrow keys send: ` +
        'keys that move the cursor do not work in hidden input, and their bytes are now part of the secret. Press Ctrl-C and type or paste it again',
    )
  }
  return notes
}

/** C0 and C1 control characters and DEL (Unicode's general category Cc). */
const isControl = (c) => /^\p{Cc}$/u.test(c)

module.exports = { readHiddenLine }
