// Sign up, log in, log out: csrf, name and password (at most 200 characters, 600 bytes).
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  formLimits: { maxFields: 3, maxUrlEncodedBytes: 4 * 1024 },
});
