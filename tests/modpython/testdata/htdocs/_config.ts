// The root of the port: mod_python's `DocumentRoot` with `PythonHandler mod_python.publisher`.
// `settings` stand for the server-level `PythonOption global 1` / `override 1`.
import { defineScope } from "@pubkit/publisher";

export default defineScope({ settings: { global: "1", override: "1" } });
