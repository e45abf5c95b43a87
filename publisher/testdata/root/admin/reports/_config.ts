import { defineScope } from "@pubkit/publisher";

export default defineScope({
  access: { append: ["bob"] },
  templates: { prepend: ["report-views"] },
  methods: { remove: ["POST"] },
  session: "read",
  formLimits: { maxFiles: 1 },
  settings: { title: "Reports" },
});
