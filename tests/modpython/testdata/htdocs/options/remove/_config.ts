// `PythonOption 'PythonOptionTest ""'` removes the inherited option.
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  settings: { PythonOptionTest: undefined, PythonOptionTest2: "new_value2" },
});
