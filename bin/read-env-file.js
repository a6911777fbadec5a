'use strict'

// Reads the text of a .env file as Next.js would accept it: a regular file, or a FIFO (a
// pipe such as `<(sops -d .env.enc)`), and nothing else. Next.js skips anything that is
// neither (a device such as /dev/zero, a socket); this command refuses it, with
// ERR_ATLAS_ENV_FILE, instead of reading without end. A FIFO may deliver at most
// MAX_FIFO_BYTES: a .env file is a few hundred bytes, and a writer that goes on past that
// is not writing one.

const fs = require('node:fs')
const { CliError } = require('./errors.js')

/** The most a FIFO may deliver: 1 MiB. */
const MAX_FIFO_BYTES = 1024 * 1024
const CHUNK_BYTES = 64 * 1024

/**
 * The text of the .env file at the absolute path `file`, named `what` in messages
 * (`--dotenv /srv/app/.env.local`). `--env-file` is refused for a FIFO: Node.js read (and
 * drained) it before this command started.
 * @throws {CliError} ERR_ATLAS_ENV_FILE (ERR_ATLAS_USAGE for `--env-file` and a FIFO)
 */
function readEnvFile(file, what, { fifoAllowed = true } = {}) {
  const stat = statOrThrow(file, what)
  if (stat.isDirectory()) throw cannotRead(what, 'it is a directory: give the path of a file such as .env.local')
  const kind = fileKind(stat)
  if (kind !== 'regular file' && kind !== 'FIFO') {
    throw cannotRead(what, `it is a ${kind}, not a regular file or a FIFO: Next.js skips such a file, and reading it would not end. Give the path of a .env file`)
  }
  if (kind === 'FIFO' && !fifoAllowed) {
    throw new CliError(
      'ERR_ATLAS_USAGE',
      `${what} is not a regular file: Node.js reads an --env-file itself before this command starts, so a pipe such as <(…) or a FIFO is already drained: use --dotenv instead`,
    )
  }
  let fd
  try {
    fd = fs.openSync(file, 'r')
  } catch (error) {
    throw cannotRead(what, describeError(error))
  }
  try {
    // The path may have been replaced since the stat: what counts is what was opened.
    const opened = fileKind(fs.fstatSync(fd))
    if (opened !== kind) throw cannotRead(what, `it changed from a ${kind} to a ${opened} while being opened`)
    return (kind === 'FIFO' ? readBounded(fd, what) : fs.readFileSync(fd)).toString('utf8')
  } catch (error) {
    if (error instanceof CliError) throw error
    throw cannotRead(what, describeError(error))
  } finally {
    fs.closeSync(fd)
  }
}

/** Whether the absolute path `file` is a file Next.js would read (a regular file or a FIFO); false when absent. */
function isReadableKind(file) {
  try {
    const kind = fileKind(fs.statSync(file))
    return kind === 'regular file' || kind === 'FIFO'
  } catch {
    return false
  }
}

/** Whether the absolute path `file` is a FIFO (after symbolic links). */
function isFifo(file) {
  try {
    return fs.statSync(file).isFIFO()
  } catch {
    return false
  }
}

/** Whether anything at all is at the absolute path `file` (a dangling link is nothing). */
function exists(file) {
  try {
    fs.statSync(file)
    return true
  } catch {
    return false
  }
}

function statOrThrow(file, what) {
  try {
    return fs.statSync(file)
  } catch (error) {
    throw cannotRead(what, describeError(error))
  }
}

/** The bytes from a FIFO up to its end, refusing more than MAX_FIFO_BYTES. */
function readBounded(fd, what) {
  const chunks = []
  let total = 0
  for (;;) {
    const chunk = Buffer.alloc(CHUNK_BYTES)
    let read
    try {
      read = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null)
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10) // a non-blocking pipe with nothing yet
      continue
    }
    if (read === 0) return Buffer.concat(chunks, total)
    total += read
    if (total > MAX_FIFO_BYTES) {
      throw cannotRead(what, `it is a FIFO that delivered more than ${MAX_FIFO_BYTES / 1024 / 1024} MiB, which no .env file is: this command stops there`)
    }
    chunks.push(chunk.subarray(0, read))
  }
}

function fileKind(stat) {
  if (stat.isFile()) return 'regular file'
  if (stat.isFIFO()) return 'FIFO'
  if (stat.isDirectory()) return 'directory'
  if (stat.isCharacterDevice()) return 'character device'
  if (stat.isBlockDevice()) return 'block device'
  if (stat.isSocket()) return 'socket'
  return 'special file'
}

function describeError(error) {
  const why = { ENOENT: 'there is no such file', EISDIR: 'it is a directory: give the path of a file such as .env.local', EACCES: 'permission denied', ENOTDIR: 'a part of the path is not a directory', ELOOP: 'it is a loop of symbolic links' }[error.code]
  return why || `it failed with ${error.code || 'an error'}`
}

const cannotRead = (what, why) => new CliError('ERR_ATLAS_ENV_FILE', `cannot read the ${what}: ${why}`)

module.exports = { readEnvFile, isReadableKind, isFifo, exists, MAX_FIFO_BYTES }
