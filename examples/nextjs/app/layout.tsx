import { generateAtlasUserObject } from "atlas-user-hash"
import type { ReactNode } from "react"

import { getCurrentUser } from "@/lib/users"

import { AtlasIdentify } from "./atlas-identify"

export const metadata = { title: "atlas-user-hash × Next.js" }

// The Atlas app id is public (it is in the widget snippet); the secret is not, and stays here.
const ATLAS_APP_ID = process.env.ATLAS_APP_ID ?? "demo-app-id"

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Server component: hashes with process.env.ATLAS_SECRET; {} when signed out.
  const atlasUser = generateAtlasUserObject(await getCurrentUser())
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "2rem", maxWidth: "40rem" }}>
        {children}
        <AtlasIdentify appId={ATLAS_APP_ID} atlasUser={atlasUser} />
      </body>
    </html>
  )
}
