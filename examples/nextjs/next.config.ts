import type { NextConfig } from "next"

const nextConfig: NextConfig = {
  // atlas-user-hash is a native addon: Next.js must load it with Node's require at run time
  // instead of bundling it (Turbopack cannot place a .node file in its server chunks).
  serverExternalPackages: ["atlas-user-hash"],
  // This example lives inside the package's repository, which has a lockfile of its own;
  // pin the app's root here so Next.js does not take the repository for a workspace root.
  // An app of your own does not need these two lines.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
}

export default nextConfig
