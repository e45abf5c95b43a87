import { defineScope } from "@pubkit/publisher";

export default defineScope({
  auth: { alice: "wonderland", bob: "builder", carol: "singer" },
  realm: "Admin area",
  access: ["alice"],
  methods: { append: ["PUT"] },
  templates: ["views"],
  session: "lock",
  formLimits: { maxFields: 50 },
  settings: { theme: "dark" },
  startup: [() => "admin one", () => "admin two"],
});
