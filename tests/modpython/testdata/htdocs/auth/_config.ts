// `AuthName blah`, `AuthType basic` over the folder: a user → password map (Basic auth).
import { defineScope } from "@pubkit/publisher";

export default defineScope({ auth: { spam: "eggs", "sp\u00e1m": "\u00e9ggs" }, realm: "blah" });
