// Test helpers shared by the engine tests: a temporary template folder and an edit that moves
// the file's mtime far enough for coarse clocks.

/** A temporary folder of templates (subfolders allowed), removed on dispose. */
export async function templates(
  files: Record<string, string>,
): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Sets a file's mtime well apart from its last one, so coarse clocks still see a change. */
export async function edit(path: string, text: string, bump: number): Promise<void> {
  await Deno.writeTextFile(path, text);
  const when = new Date(Date.now() + bump * 10_000);
  await Deno.utime(path, when, when);
}
