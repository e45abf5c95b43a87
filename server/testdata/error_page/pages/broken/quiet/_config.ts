import { defineScope } from "@pubkit/publisher";

export default defineScope({ errorPage: false });
