import { defineScope } from "@pubkit/publisher";

export default defineScope({ templates: ["../../views"], errorPage: "oops" });
