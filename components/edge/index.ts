export { EdgeSettings } from "./config";
export { Edge, EdgeArgs, PublicTier, TierIngressSettings } from "./edge";
