import { demoUsers, getCurrentUser } from "@/lib/users"

import { signIn, signOut } from "./actions"
import { RenameForm } from "./rename-form"

export default async function Home() {
  const user = await getCurrentUser()
  return (
    <main>
      <h1>atlas-user-hash × Next.js</h1>
      {user ? (
        <>
          <p>
            Signed in as <strong data-testid="user-name">{user.name}</strong> ({user.email ?? "no email"}).
          </p>
          <RenameForm currentName={user.name} />
          <form action={signOut}>
            <button type="submit">Sign out</button>
          </form>
        </>
      ) : (
        <>
          <p data-testid="signed-out">Signed out: the Atlas widget loads without identifying anyone.</p>
          {demoUsers().map((demo) => (
            <form key={demo.id} action={signIn}>
              <input type="hidden" name="userId" value={String(demo.id)} />
              <button type="submit">Sign in as {demo.name}</button>
            </form>
          ))}
        </>
      )}
      <p>
        <a href="/api/atlas-user">/api/atlas-user</a> returns the same object as JSON.
      </p>
    </main>
  )
}
