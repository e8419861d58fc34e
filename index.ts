import { platform } from "./components/program";

// `pulumi up` takes this module's exports as the stack outputs.
export = platform();
