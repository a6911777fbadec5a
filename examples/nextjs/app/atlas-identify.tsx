"use client"

import { useEffect } from "react"

// The object generateAtlasUserObject returned on the server: { userId, name, email, userHash },
// or {} when nobody is signed in. Only the hash crosses to the browser, never the secret.
export type AtlasUser = { userId: string | number; name?: string | null; email?: string | null; userHash: string } | {}

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
      this.q.push(arguments)
    },
  }
  const script = document.createElement("script")
  script.async = true
  script.src = WIDGET_SRC
  document.head.appendChild(script)

}

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
