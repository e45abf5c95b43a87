// `PythonHandler tests::Session_Session` with a session for the folder.
import { defineScope } from "@pubkit/publisher";

export default defineScope({ session: "lock" });
