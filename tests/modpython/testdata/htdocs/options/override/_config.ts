import { defineScope } from "@pubkit/publisher";

export default defineScope({
  settings: { PythonOptionTest: "new_value", PythonOptionTest2: "new_value2" },
});
