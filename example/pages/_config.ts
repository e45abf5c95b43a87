// Every page of the board: templates from ../templates, and the session opened and locked for
// the whole request (released when the response is done).
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  templates: ["../templates"],
  session: "lock",
  formLimits: { maxFields: 20, maxUrlEncodedBytes: 64 * 1024 },
});
