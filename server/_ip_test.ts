import assert from "node:assert/strict";
import { isIP } from "node:net";
import fc from "fast-check";
import { ipVersion } from "./_ip.ts";

Deno.test("ipVersion() answers as isIP() of node:net", async (t) => {
  await t.step("on chosen addresses and near misses", () => {
    const cases = [
      "127.0.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "256.0.0.1",
      "1.2.3",
      "01.2.3.4",
      "1.2.3.4 ",
      "::",
      "::1",
      "::ffff:127.0.0.1",
      "2001:db8::1",
      "fe80::1%eth0",
      "1:2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      ":::",
      "[::1]",
      "12345::",
      "g::1",
      "",
      " ",
      "localhost",
      "1:2:3:4:5:6:1.2.3.4",
      "::1.2.3.4",
      "1.2.3.4%eth0",
    ];
    for (const address of cases) assert.equal(ipVersion(address), isIP(address), address);
  });
  await t.step("on generated addresses and strings", () => {
    const piece = fc.constantFrom("0", "1", "a", "ff", "ffff", "12345", "255", "256", "", "%x");
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.array(piece, { maxLength: 9 }).map((parts) => parts.join(":")),
      fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(".")),
      fc.string(),
    );
    fc.assert(fc.property(address, (a) => ipVersion(a) === isIP(a)), { numRuns: 20_000 });
  });
});
