/**
 * Reads the gzipped tarballs `deno publish` uploads: GNU tar entries of regular files, with
 * long names in `L` entries. Only what the publish flow writes; anything else is refused.
 */

const BLOCK = 512;

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/**
 * Unpacks a gzipped tarball into a map from absolute package path (`/mod.ts`) to contents.
 *
 * @throws {TypeError} when the archive holds an entry other than a regular file or a long name.
 */
export async function untarGzip(gzipped: Uint8Array): Promise<Map<string, Uint8Array>> {
  const stream = new Blob([gzipped as BlobPart]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const tar = new Uint8Array(await new Response(stream).arrayBuffer());
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type !== "0") throw new TypeError(`Cannot unpack the tarball: entry type ${type}`);
    const name = longName ?? field(header, 0, 100);
    longName = undefined;
    const path = `/${name.replace(/^\.\//, "")}`;
    if (path.split("/").some((segment) => segment === "..")) {
      throw new TypeError(`Cannot unpack the tarball: path ${name}`);
    }
    files.set(path, data.slice());
  }
  return files;
}
