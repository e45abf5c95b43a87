import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "./passwords.ts";

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
const ascii = (text: string) => hex([...new TextEncoder().encode(text)]);

Deno.test("hashPassword() uses PBKDF2-SHA256 at OWASP's 600,000 iterations with a random salt", async () => {
  const a = await hashPassword("correct horse");
  const b = await hashPassword("correct horse");
  const [scheme, iterations, salt, hash] = a.split("$");
  assert.equal(scheme, "pbkdf2-sha256");
  assert.equal(Number(iterations), 600_000);
  assert.match(salt, /^[0-9a-f]{32}$/, "16 bytes of salt");
  assert.match(hash, /^[0-9a-f]{64}$/, "32 bytes of hash");
  assert.notEqual(a, b, "a fresh salt each time");
  assert.notEqual(a.split("$")[2], b.split("$")[2]);
  assert.equal(await verifyPassword("correct horse", a), true);
  assert.equal(await verifyPassword("correct horse", b), true);
});

Deno.test("verifyPassword() matches the RFC 7914 PBKDF2-HMAC-SHA256 test vector", async () => {
  // RFC 7914 §11: P = "passwd", S = "salt", c = 1; the first 32 bytes of the 64-byte key.
  const key = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc";
  assert.equal(await verifyPassword("passwd", `pbkdf2-sha256$1$${ascii("salt")}$${key}`), true);
  assert.equal(await verifyPassword("passwd!", `pbkdf2-sha256$1$${ascii("salt")}$${key}`), false);
  // And the iteration count is honoured: the same key is wrong for c = 2.
  assert.equal(await verifyPassword("passwd", `pbkdf2-sha256$2$${ascii("salt")}$${key}`), false);
});

Deno.test("verifyPassword() refuses wrong passwords and tampered or malformed hashes", async (t) => {
  const stored = await hashPassword("s3cret-pass", 1_000);
  const [scheme, iterations, salt, hash] = stored.split("$");
  await t.step("wrong password", async () => {
    assert.equal(await verifyPassword("s3cret-pasS", stored), false);
    assert.equal(await verifyPassword("", stored), false);
  });
  await t.step("a hash differing in its first or its last byte", async () => {
    const flip = (at: number) =>
      hash.slice(0, at) + (hash[at] === "0" ? "1" : "0") + hash.slice(at + 1);
    for (const at of [0, hash.length - 1]) {
      const tampered = [scheme, iterations, salt, flip(at)].join("$");
      assert.equal(await verifyPassword("s3cret-pass", tampered), false);
    }
  });
  await t.step("a hash of another length (the login page's dummy for unknown users)", async () => {
    assert.equal(
      await verifyPassword("s3cret-pass", [scheme, iterations, salt, "00"].join("$")),
      false,
    );
    assert.equal(await verifyPassword("anything", "pbkdf2-sha256$600000$00$00"), false);
  });
  await t.step("another scheme or missing parts", async () => {
    for (
      const bad of [
        "",
        "plain",
        `sha1$${iterations}$${salt}$${hash}`,
        `pbkdf2-sha256$$${salt}$${hash}`,
        `pbkdf2-sha256$1000$${salt}`,
      ]
    ) {
      assert.equal(await verifyPassword("s3cret-pass", bad), false, bad);
    }
  });
});

Deno.test("verifyPassword() runs the full KDF for the login page's dummy hash (unknown users)", async () => {
  // The login page verifies against a dummy hash when the name is unknown, so that answering
  // does not reveal which names exist; that only works if the dummy costs a full derivation.
  const real = await hashPassword("correct horse");
  const fastest = async (stored: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await verifyPassword("guess", stored);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const known = await fastest(real);
  const unknown = await fastest("pbkdf2-sha256$600000$00$00");
  assert.ok(unknown > known / 2, `dummy ${unknown.toFixed(1)} ms vs real ${known.toFixed(1)} ms`);
});
