// `PythonOption PythonOptionTest sample_value` on the folder, and `local 1` / `override 2` over
// the root's `global 1` / `override 1` (req.get_options()).
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  settings: { PythonOptionTest: "sample_value", local: "1", override: "2" },
});
