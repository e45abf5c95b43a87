export { PythonOption_items } from "../tests.ts";
