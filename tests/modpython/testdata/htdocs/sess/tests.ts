// Port of tests.py's Session_Session: a new session is saved and sets its cookie; a request
// carrying that cookie finds the session again.
import type { AppReq } from "@pubkit/server";

export async function Session_Session(req: AppReq): Promise<string> {
  const session = req.session;
  if (session.isNew) await session.save();
  const sid = req.cookies.sid;
  return sid !== undefined && session.isNew ? sid : "test ok";
}
