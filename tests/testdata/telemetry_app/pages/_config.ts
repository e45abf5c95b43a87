import { defineScope } from "@pubkit/publisher";

export default defineScope({ templates: ["../templates"], session: "lock" });
