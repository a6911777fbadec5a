"use client"

import type { AtlasUserObject } from "atlas-user-hash"
import { useEffect } from "react"

// The object generateAtlasUserObject returned on the server: { userId, name, email, userHash },
// or {} when nobody is signed in. Only the hash crosses to the browser, never the secret.
// (A type-only import is erased at compile time, so it does not pull the server-only package
// into the client bundle.)
export type AtlasUser = AtlasUserObject | {}

type AtlasQueue = {
  appId: string
  v: 2
  autorun: object
  q: unknown[]
  call(...args: unknown[]): void
}

declare global {
  interface Window {
    Atlas?: AtlasQueue
  }
}

// The widget bundle; copy the exact address from the install snippet in your Atlas settings.
const WIDGET_SRC = "https://app.atlas.so/client-script.js"

/** Installs Atlas's widget snippet once: a queue that the widget bundle replays when it loads. */
function installAtlas(appId: string) {
  if (window.Atlas) return
  window.Atlas = {
    appId,
    v: 2,
    autorun: {},
    q: [],
    call() {
      // biome-ignore lint/complexity/noArguments: Atlas's install snippet queues the arguments object itself, and its widget replays it
      this.q.push(arguments)
    },
  }
  const script = document.createElement("script")
  script.async = true
  script.src = WIDGET_SRC
  document.head.appendChild(script)
}

// The last object identified: the rename form identifies with its action's result, and then
// the layout re-renders with that same object, which must not be sent twice.
let lastIdentified = ""

/**
 * Identifies the user to Atlas, once per distinct object; does nothing for {} (signed out).
 * Call it after <AtlasIdentify> has mounted (it installs the snippet).
 */
export function identify(atlasUser: AtlasUser) {
  if (!("userHash" in atlasUser)) {
    lastIdentified = ""
    return
  }
  const key = JSON.stringify(atlasUser)
  if (key === lastIdentified) return
  lastIdentified = key
  window.Atlas?.call("identify", atlasUser)
}

export function AtlasIdentify({ appId, atlasUser }: { appId: string; atlasUser: AtlasUser }) {
  useEffect(() => {
    installAtlas(appId)
    identify(atlasUser)
  }, [appId, atlasUser])
  return null
}
