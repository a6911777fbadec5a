"use client"

import { useTransition } from "react"

import { renameUser } from "./actions"
import { identify } from "./atlas-identify"

export function RenameForm({ currentName }: { currentName: string }) {
  const [pending, startTransition] = useTransition()
  return (
    <form
      action={(formData) =>
        startTransition(async () => {
          // The server action renames the user and returns their fresh Atlas object.
          identify(await renameUser(formData))
        })
      }
    >
      <label>
        Name <input name="name" defaultValue={currentName} />
      </label>{" "}
      <button type="submit" disabled={pending}>
        Rename
      </button>
    </form>
  )
}
