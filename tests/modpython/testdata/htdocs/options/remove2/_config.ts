// `PythonOption PythonOptionTest` (no value) removes it too.
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  settings: {
    PythonOptionTest: undefined,
    PythonOptionTest2: "new_value2",
    PythonOptionTest3: "new_value3",
  },
});
